namespace KernelZones.Migration.Transport.Framing;

/// <summary>Limits of a record stream. Both ends of a stream must use equal options.</summary>
/// <remarks>Immutable after construction with <c>init</c>; safe to share between threads.</remarks>
public sealed class RecordOptions
{
    /// <summary>The default maximum payload: 256 KiB.</summary>
    public const int DefaultMaxPayloadLength = 256 * 1024;

    /// <summary>The largest payload any stream may allow: 16 MiB − 1, AES-CCM's message limit with a 12-byte nonce (NIST SP 800-38C, A.1: q = 3).</summary>
    public const int MaxPayloadLimit = (1 << 24) - 1;

    /// <summary>The default (and largest) number of records sealed under one key before rotation: 2^32.</summary>
    public const long DefaultRecordsPerKey = 1L << 32;

    /// <summary>The default (and largest) number of payload bytes sealed under one key before rotation: 2^36 (64 GiB).</summary>
    public const long DefaultBytesPerKey = 1L << 36;

    private readonly int _maxPayloadLength = DefaultMaxPayloadLength;
    private readonly long _recordsPerKey = DefaultRecordsPerKey;
    private readonly long _bytesPerKey = DefaultBytesPerKey;

    /// <summary>The options with every default.</summary>
    public static RecordOptions Default { get; } = new();

    /// <summary>
    /// The largest payload in bytes a record may declare. Default <see cref="DefaultMaxPayloadLength"/>
    /// (256 KiB); 1 to <see cref="MaxPayloadLimit"/>. A larger declared length is rejected before its body is awaited.
    /// </summary>
    public int MaxPayloadLength
    {
        get => _maxPayloadLength;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxPayloadLimit);
            _maxPayloadLength = value;
        }
    }

    /// <summary>Records sealed under one key before both ends rotate to the next. Default and maximum 2^32; minimum 1.</summary>
    public long RecordsPerKey
    {
        get => _recordsPerKey;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, DefaultRecordsPerKey);
            _recordsPerKey = value;
        }
    }

    /// <summary>Payload bytes sealed under one key before both ends rotate to the next. Default and maximum 2^36; at least <see cref="MaxPayloadLength"/>.</summary>
    public long BytesPerKey
    {
        get => _bytesPerKey;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, DefaultBytesPerKey);
            _bytesPerKey = value;
        }
    }

    /// <summary>The largest record on the wire, in bytes: header, maximum payload and the largest tag.</summary>
    public int MaxRecordLength => RecordHeader.Size + MaxPayloadLength + Ciphers.CipherSuite.MaxTagSize;
}
