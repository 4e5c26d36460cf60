using System.Buffers;
using KernelZones.Migration.Transport.Keys;

namespace KernelZones.Migration.Transport.Framing;

/// <summary>
/// Writes one stream's records: seals each payload straight from the caller's memory into the output
/// writer's buffer (header, ciphertext and tag in place, no intermediate copy).
/// </summary>
/// <remarks>
/// Nonces are the stream's 4-byte prefix followed by the 64-bit record sequence number; the sequence never
/// wraps and keys rotate by <see cref="RecordOptions.RecordsPerKey"/> and <see cref="RecordOptions.BytesPerKey"/>,
/// so no (key, nonce) pair is ever used twice. Not thread-safe: one writer per stream.
/// </remarks>
public sealed class RecordSealer : IDisposable
{
    private readonly RecordKeyState _keyState;
    private readonly int _maxPayloadLength;
    private ulong _sequence;
    private bool _ended;

    /// <summary>Creates the sealer of one stream.</summary>
    /// <param name="keys">The stream's keys; the sealer owns and disposes them.</param>
    /// <param name="options">The stream's limits; <see langword="null"/> means <see cref="RecordOptions.Default"/>.</param>
    public RecordSealer(StreamKeys keys, RecordOptions? options = null)
        : this(keys, options, firstSequence: 0)
    {
    }

    // Tests start near the end of the sequence space to prove that the counter refuses to wrap.
    internal RecordSealer(StreamKeys keys, RecordOptions? options, ulong firstSequence)
    {
        ArgumentNullException.ThrowIfNull(keys);
        options ??= RecordOptions.Default;
        _keyState = new RecordKeyState(keys, options);
        _maxPayloadLength = options.MaxPayloadLength;
        _sequence = firstSequence;
    }

    /// <summary>The sequence number the next record will carry.</summary>
    public ulong NextSequence => _sequence;

    /// <summary>The tag size of the stream's cipher, in bytes.</summary>
    public int TagSize => _keyState.TagSize;

    /// <summary>Whether the end-of-stream record has been sealed.</summary>
    public bool IsEnded => _ended;

    /// <summary>The wire length of a record with a payload of <paramref name="payloadLength"/> bytes.</summary>
    /// <param name="payloadLength">The payload length in bytes.</param>
    public int GetRecordLength(int payloadLength) => RecordHeader.Size + payloadLength + _keyState.TagSize;

    /// <summary>Seals one record into <paramref name="output"/> and advances it by the record's length.</summary>
    /// <param name="output">The destination; asked once for a contiguous span of the whole record.</param>
    /// <param name="type"><see cref="RecordType.Data"/> or <see cref="RecordType.Control"/>.</param>
    /// <param name="label">The caller's label for the payload (for example a guest-physical address).</param>
    /// <param name="payload">The plaintext, at most <see cref="RecordOptions.MaxPayloadLength"/> bytes.</param>
    /// <param name="flags">Flags of the layer above, carried authenticated.</param>
    /// <exception cref="ArgumentException">The payload is too long, or the type is <see cref="RecordType.EndOfStream"/>.</exception>
    /// <exception cref="InvalidOperationException">The stream has ended.</exception>
    /// <exception cref="RecordException">The sequence counter or key epochs are exhausted (<see cref="RecordErrorKind.CounterExhausted"/>).</exception>
    public void Seal(IBufferWriter<byte> output, RecordType type, long label, ReadOnlySpan<byte> payload, byte flags = 0)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (type is not (RecordType.Data or RecordType.Control))
        {
            ThrowHelper.ThrowArgument(nameof(type), $"Only data and control records can be sealed with Seal, not {type}; use SealEndOfStream.");
        }

        if (payload.Length > _maxPayloadLength)
        {
            ThrowHelper.ThrowArgument(nameof(payload), $"The payload is {payload.Length} bytes; the stream allows at most {_maxPayloadLength}.");
        }

        SealRecord(output, type, flags, label, payload);
    }

    /// <summary>Seals the authenticated end-of-stream record; afterwards the stream accepts nothing more.</summary>
    /// <param name="output">The destination.</param>
    public void SealEndOfStream(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        SealRecord(output, RecordType.EndOfStream, 0, 0, default);
        _ended = true;
    }

    /// <summary>Zeroes the stream's key material.</summary>
    public void Dispose() => _keyState.Dispose();

    /// <summary>Whether records carry their payload as is (the <c>none</c> cipher: no encryption, no tag).</summary>
    internal bool IsPlain => _keyState.TagSize == 0;

    /// <summary>
    /// For a plain stream (<see cref="IsPlain"/>): writes only the header of a data record whose
    /// <paramref name="payloadLength"/> bytes the caller sends right after it, straight from its own memory. The bytes
    /// on the wire are exactly those <see cref="Seal"/> would write; the payload is just not copied through here.
    /// </summary>
    /// <exception cref="InvalidOperationException">The stream encrypts, or has ended.</exception>
    internal void SealPlainHeader(IBufferWriter<byte> output, long label, int payloadLength, byte flags)
    {
        if (!IsPlain)
        {
            ThrowHelper.ThrowInvalidOperation("Only a stream without encryption can send a payload outside its records.");
        }

        if (payloadLength > _maxPayloadLength)
        {
            ThrowHelper.ThrowArgument(nameof(payloadLength), $"The payload is {payloadLength} bytes; the stream allows at most {_maxPayloadLength}.");
        }

        CheckCanSeal();
        _keyState.Use(payloadLength);
        new RecordHeader(RecordType.Data, flags, payloadLength, _sequence, label).Write(output.GetSpan(RecordHeader.Size));
        output.Advance(RecordHeader.Size);
        _sequence++;
    }

    private void SealRecord(IBufferWriter<byte> output, RecordType type, byte flags, long label, ReadOnlySpan<byte> payload)
    {
        CheckCanSeal();
        var cipher = _keyState.Use(payload.Length);
        int length = RecordHeader.Size + payload.Length + _keyState.TagSize;
        Span<byte> record = output.GetSpan(length)[..length];

        var header = new RecordHeader(type, flags, payload.Length, _sequence, label);
        header.Write(record);
        Span<byte> nonce = stackalloc byte[12];
        _keyState.WriteNonce(nonce, _sequence);

        cipher.Encrypt(
            nonce,
            payload,
            record.Slice(RecordHeader.Size, payload.Length),
            record[(RecordHeader.Size + payload.Length)..],
            record[..RecordHeader.Size]);

        output.Advance(length);
        _sequence++;
    }

    private void CheckCanSeal()
    {
        if (_ended)
        {
            ThrowHelper.ThrowInvalidOperation("The stream has ended; no record can follow its end-of-stream record.");
        }

        if (_sequence == ulong.MaxValue)
        {
            throw new RecordException(RecordErrorKind.CounterExhausted, "The record sequence counter is exhausted; the stream refuses to wrap it and reuse a nonce.");
        }
    }
}
