using KernelZones.Migration.Transport.Framing;

namespace KernelZones.Migration.Transport.Striping;

/// <summary>
/// Where a transfer delivers what it receives. Data payloads are opened straight into the memory the sink
/// names for them (for a migration, guest memory at the address the header's <see cref="RecordHeader.Label"/> names).
/// </summary>
/// <remarks>
/// Each stripe calls its sink from its own receiving loop, in record order; different stripes call
/// concurrently, so an implementation must be safe for calls from several stripes at once. An exception
/// thrown by the sink aborts the whole transfer with that exception as the reason.
/// </remarks>
public interface IRecordSink
{
    /// <summary>Returns the memory to open a data record's payload into: exactly <see cref="RecordHeader.PayloadLength"/> bytes.</summary>
    /// <param name="stripeIndex">The stripe the record arrived on.</param>
    /// <param name="header">The record's authenticated-to-be header (its tag is checked when the payload is opened).</param>
    Span<byte> GetDataDestination(int stripeIndex, in RecordHeader header);

    /// <summary>Called after a data record was authenticated and opened into the memory <see cref="GetDataDestination"/> returned.</summary>
    /// <param name="stripeIndex">The stripe the record arrived on.</param>
    /// <param name="header">The record's header.</param>
    /// <param name="payload">The opened payload, in the sink's own memory.</param>
    void OnDataReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload);

    /// <summary>Called for each authenticated control record.</summary>
    /// <param name="stripeIndex">The stripe the record arrived on.</param>
    /// <param name="header">The record's header.</param>
    /// <param name="payload">The payload; valid only during the call.</param>
    void OnControlReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload);
}
