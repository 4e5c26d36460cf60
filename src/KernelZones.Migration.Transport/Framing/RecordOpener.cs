using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using KernelZones.Migration.Transport.Keys;

namespace KernelZones.Migration.Transport.Framing;

/// <summary>
/// Reads one stream's records from a <see cref="ReadOnlySequence{T}"/>: validates each header as soon as
/// its 24 bytes are there (length bound, sequence) and opens the payload straight into memory the caller
/// chooses from the header, such as guest memory at the address its <see cref="RecordHeader.Label"/> names.
/// </summary>
/// <remarks>
/// Only the next sequence number is accepted; every deviation is a <see cref="RecordException"/> whose
/// <see cref="RecordException.Kind"/> names it. A record that straddles buffer segments is first copied to
/// one pooled scratch buffer; a contiguous record is decrypted in place. Not thread-safe: one reader per stream.
/// </remarks>
public sealed class RecordOpener : IDisposable
{
    private readonly RecordKeyState _keyState;
    private readonly int _maxPayloadLength;
    private readonly int _maxRecordLength;
    private byte[]? _scratch;
    private ulong _expected;
    private bool _ended;

    /// <summary>Creates the opener of one stream.</summary>
    /// <param name="keys">The stream's keys; the opener owns and disposes them.</param>
    /// <param name="options">The stream's limits, equal to the sealer's; <see langword="null"/> means <see cref="RecordOptions.Default"/>.</param>
    public RecordOpener(StreamKeys keys, RecordOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        options ??= RecordOptions.Default;
        _keyState = new RecordKeyState(keys, options);
        _maxPayloadLength = options.MaxPayloadLength;
        _maxRecordLength = options.MaxRecordLength;
    }

    /// <summary>The sequence number the next record must carry.</summary>
    public ulong ExpectedSequence => _expected;

    /// <summary>Whether the authenticated end-of-stream record has been opened.</summary>
    public bool IsEnded => _ended;

    /// <summary>The tag size of the stream's cipher, in bytes.</summary>
    public int TagSize => _keyState.TagSize;

    /// <summary>The wire length of the record <paramref name="header"/> starts: header, payload and tag.</summary>
    /// <param name="header">A header returned by <see cref="TryReadHeader"/>.</param>
    public int GetRecordLength(in RecordHeader header) => RecordHeader.Size + header.PayloadLength + _keyState.TagSize;

    /// <summary>
    /// Reads and validates the header at the start of <paramref name="buffer"/> without consuming anything.
    /// </summary>
    /// <param name="buffer">The unread bytes of the stream.</param>
    /// <param name="header">The header, when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="false"/> when fewer than <see cref="RecordHeader.Size"/> bytes are available.</returns>
    /// <exception cref="RecordException">The header is malformed, oversized, out of sequence, or follows the end of the stream.</exception>
    public bool TryReadHeader(in ReadOnlySequence<byte> buffer, out RecordHeader header)
    {
        if (_ended && !buffer.IsEmpty)
        {
            throw new RecordException(RecordErrorKind.AfterEndOfStream, "Data arrived after the stream's end-of-stream record.");
        }

        if (buffer.Length < RecordHeader.Size)
        {
            header = default;
            return false;
        }

        Span<byte> bytes = stackalloc byte[RecordHeader.Size];
        buffer.Slice(0, RecordHeader.Size).CopyTo(bytes);
        header = Parse(bytes);
        return true;
    }

    /// <summary>Authenticates the record at the start of <paramref name="buffer"/> and decrypts its payload into <paramref name="destination"/>.</summary>
    /// <param name="buffer">Starts with the whole record (<see cref="GetRecordLength"/> bytes); may hold more.</param>
    /// <param name="header">The header <see cref="TryReadHeader"/> returned for this record.</param>
    /// <param name="destination">Exactly <see cref="RecordHeader.PayloadLength"/> bytes; zeroed if authentication fails.</param>
    /// <exception cref="RecordException">The record failed authentication, or the header is not the stream's next.</exception>
    public void Open(in ReadOnlySequence<byte> buffer, in RecordHeader header, Span<byte> destination)
    {
        if (header.Sequence != _expected || _ended)
        {
            ThrowHelper.ThrowInvalidOperation($"Record #{header.Sequence} is not the stream's next record (#{_expected}); read its header with TryReadHeader first.");
        }

        if (destination.Length != header.PayloadLength)
        {
            ThrowHelper.ThrowArgument(nameof(destination), $"The destination must be {header.PayloadLength} bytes, not {destination.Length}.");
        }

        int length = GetRecordLength(header);
        ReadOnlySpan<byte> record = buffer.FirstSpan.Length >= length ? buffer.FirstSpan[..length] : CopyToScratch(buffer, length);

        var cipher = _keyState.Use(header.PayloadLength);
        Span<byte> nonce = stackalloc byte[12];
        _keyState.WriteNonce(nonce, header.Sequence);
        try
        {
            cipher.Decrypt(
                nonce,
                record.Slice(RecordHeader.Size, header.PayloadLength),
                record[(RecordHeader.Size + header.PayloadLength)..],
                destination,
                record[..RecordHeader.Size]);
        }
        catch (CryptographicException ex)
        {
            throw new RecordException(RecordErrorKind.AuthenticationFailed, $"Record #{header.Sequence} failed authentication: it was altered in transit or the peer holds different keys.", ex);
        }

        _expected++;
        _ended = header.Type == RecordType.EndOfStream;
    }

    /// <summary>
    /// Declares the input finished. Throws unless the end-of-stream record was opened and nothing follows it,
    /// so that a stream cut short is never mistaken for one that ended.
    /// </summary>
    /// <param name="unreadBytes">Bytes left unconsumed in the input.</param>
    /// <exception cref="RecordException">The stream was truncated (<see cref="RecordErrorKind.Truncated"/>) or data followed its end.</exception>
    public void Complete(long unreadBytes)
    {
        if (!_ended)
        {
            string where = unreadBytes > 0 ? $"in the middle of record #{_expected} ({unreadBytes} bytes of it received)" : $"before record #{_expected}";
            throw new RecordException(RecordErrorKind.Truncated, $"The stream was cut {where}, without its end-of-stream record.");
        }

        if (unreadBytes > 0)
        {
            throw new RecordException(RecordErrorKind.AfterEndOfStream, $"{unreadBytes} bytes followed the stream's end-of-stream record.");
        }
    }

    /// <summary>Whether records carry their payload as is (the <c>none</c> cipher: no encryption, no tag).</summary>
    internal bool IsPlain => _keyState.TagSize == 0;

    /// <summary>
    /// For a plain stream (<see cref="IsPlain"/>): accepts the data record <paramref name="header"/> (read with
    /// <see cref="TryReadHeader"/>) whose payload the caller has received straight into its destination. With no
    /// encryption and no tag, opening it would only have copied it there.
    /// </summary>
    /// <exception cref="InvalidOperationException">The stream encrypts, or the header is not the stream's next data record.</exception>
    internal void AcceptPlain(in RecordHeader header)
    {
        if (!IsPlain || header.Type != RecordType.Data || header.Sequence != _expected || _ended)
        {
            ThrowHelper.ThrowInvalidOperation($"Record #{header.Sequence} cannot be accepted unopened: only the next data record (#{_expected}) of a stream without encryption can.");
        }

        _keyState.Use(header.PayloadLength);
        _expected++;
    }

    /// <summary>Whether some record had to be copied out of a segmented buffer before opening (diagnostics: a stripe never should).</summary>
    internal bool HasCopiedRecords => _scratch is not null;

    /// <summary>Zeroes key material and returns the scratch buffer.</summary>
    public void Dispose()
    {
        _keyState.Dispose();
        if (_scratch is not null)
        {
            CryptographicOperations.ZeroMemory(_scratch);
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = null;
        }
    }

    private RecordHeader Parse(ReadOnlySpan<byte> bytes)
    {
        var type = (RecordType)bytes[0];
        uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]);
        ulong sequence = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);

        if (type is not (RecordType.Data or RecordType.Control or RecordType.EndOfStream) || bytes[2] != 0 || bytes[3] != 0)
        {
            throw new RecordException(RecordErrorKind.Malformed, $"Record #{_expected} has an invalid header (type {bytes[0]}, reserved {bytes[2]:x2}{bytes[3]:x2}).");
        }

        if (length > (uint)_maxPayloadLength)
        {
            throw new RecordException(RecordErrorKind.Oversized, $"Record #{_expected} declares a {length}-byte payload; at most {_maxPayloadLength} bytes are allowed.");
        }

        if (type == RecordType.EndOfStream && length != 0)
        {
            throw new RecordException(RecordErrorKind.Malformed, $"The end-of-stream record #{sequence} carries a {length}-byte payload; it must be empty.");
        }

        CheckSequence(type, sequence);
        return new RecordHeader(type, bytes[1], (int)length, sequence, BinaryPrimitives.ReadInt64BigEndian(bytes[16..]));
    }

    private void CheckSequence(RecordType type, ulong sequence)
    {
        if (sequence < _expected)
        {
            throw new RecordException(RecordErrorKind.Replayed, $"Record #{sequence} was already received (expected #{_expected}): a replayed or duplicated record.");
        }

        if (sequence > _expected)
        {
            throw type == RecordType.EndOfStream
                ? new RecordException(RecordErrorKind.Dropped, $"The stream ended at record #{sequence} but only {_expected} records arrived: records were dropped.")
                : new RecordException(RecordErrorKind.OutOfOrder, $"Record #{sequence} arrived where #{_expected} was expected: records were dropped or reordered.");
        }
    }

    private ReadOnlySpan<byte> CopyToScratch(in ReadOnlySequence<byte> buffer, int length)
    {
        _scratch ??= ArrayPool<byte>.Shared.Rent(_maxRecordLength);
        Span<byte> scratch = _scratch.AsSpan(0, length);
        buffer.Slice(0, length).CopyTo(scratch);
        return scratch;
    }
}
