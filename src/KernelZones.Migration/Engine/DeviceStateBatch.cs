using KernelZones.Migration.Precopy;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Engine;

/// <summary>The captured device state as data records on the data plane, in slices of at most one record.</summary>
internal sealed class DeviceStateBatch(ReadOnlyMemory<byte> state, int maxRecord) : IRecordBatch
{
    private int _next;

    public bool TryGetNext(out OutgoingRecord record)
    {
        int length = Math.Min(maxRecord, state.Length - _next);
        record = new OutgoingRecord(RecordType.Data, _next, length, (byte)PrecopyRecordKind.DeviceState);
        _next += length;
        return length > 0;
    }

    public ReadOnlySpan<byte> GetPayload(in OutgoingRecord record) => state.Span.Slice((int)record.Label, record.Length);
}
