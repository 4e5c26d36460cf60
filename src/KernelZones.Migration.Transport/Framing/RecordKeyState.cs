using System.Buffers.Binary;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Keys;

namespace KernelZones.Migration.Transport.Framing;

/// <summary>
/// The key, nonce and usage counters of one stream, shared in shape by the sealer and the opener: both
/// count the same records in the same order, so both rotate at the same record with no message exchanged.
/// </summary>
internal sealed class RecordKeyState : IDisposable
{
    private readonly StreamKeys _keys;
    private readonly long _recordsPerKey;
    private readonly long _bytesPerKey;
    private ICipher _cipher;
    private uint _noncePrefix;
    private uint _epoch;
    private long _recordsUnderKey;
    private long _bytesUnderKey;

    public RecordKeyState(StreamKeys keys, RecordOptions options)
    {
        _keys = keys;
        if (options.BytesPerKey < options.MaxPayloadLength)
        {
            ThrowHelper.ThrowArgument(nameof(options), $"BytesPerKey ({options.BytesPerKey}) must be at least MaxPayloadLength ({options.MaxPayloadLength}).");
        }

        _recordsPerKey = options.RecordsPerKey;
        _bytesPerKey = options.BytesPerKey;
        _cipher = keys.CreateCipher(0, out _noncePrefix);
    }

    public int TagSize => _keys.TagSize;

    public uint Epoch => _epoch;

    /// <summary>Accounts for the next record and returns the cipher to seal or open it with, rotating first if a limit would be passed.</summary>
    public ICipher Use(int payloadLength)
    {
        if (_recordsUnderKey + 1 > _recordsPerKey || _bytesUnderKey + payloadLength > _bytesPerKey)
        {
            Rotate();
        }

        _recordsUnderKey++;
        _bytesUnderKey += payloadLength;
        return _cipher;
    }

    public void WriteNonce(Span<byte> nonce, ulong sequence)
    {
        BinaryPrimitives.WriteUInt32BigEndian(nonce, _noncePrefix);
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], sequence);
    }

    public void Dispose()
    {
        _cipher.Dispose();
        _keys.Dispose();
    }

    private void Rotate()
    {
        if (_epoch == SessionKeySchedule.MaxEpoch)
        {
            throw new RecordException(RecordErrorKind.CounterExhausted, $"Stripe {_keys.StripeIndex} ({_keys.Direction}) has used every key epoch; the stream refuses to continue rather than reuse a key.");
        }

        ICipher next = _keys.CreateCipher(_epoch + 1, out uint prefix);
        _cipher.Dispose();
        _cipher = next;
        _noncePrefix = prefix;
        _epoch++;
        _recordsUnderKey = 0;
        _bytesUnderKey = 0;
    }
}
