namespace KernelZones.Migration.Transport.Framing;

/// <summary>Why a record stream was rejected. Every kind is fatal to the stream.</summary>
public enum RecordErrorKind
{
    /// <summary>The header is not a valid record header (unknown type, non-zero reserved bits, an end-of-stream record with a payload).</summary>
    Malformed = 1,

    /// <summary>The declared payload length exceeds the configured maximum; rejected before the body was awaited.</summary>
    Oversized,

    /// <summary>A record carries a sequence number that was already accepted: a replay or duplicate.</summary>
    Replayed,

    /// <summary>A record carries a sequence number beyond the next one: an earlier record was dropped or the records were reordered.</summary>
    OutOfOrder,

    /// <summary>The end-of-stream record arrived with records missing before it: records were dropped at the end.</summary>
    Dropped,

    /// <summary>The stream ended without its end-of-stream record, or in the middle of a record.</summary>
    Truncated,

    /// <summary>A record arrived after the end-of-stream record.</summary>
    AfterEndOfStream,

    /// <summary>A record failed authentication: its header, data or tag was altered, or the keys differ.</summary>
    AuthenticationFailed,

    /// <summary>The 64-bit sequence counter or the key epoch would wrap; the stream refuses to reuse a nonce.</summary>
    CounterExhausted,
}
