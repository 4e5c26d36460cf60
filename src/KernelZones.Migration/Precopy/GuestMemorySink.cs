using System.Buffers.Binary;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Precopy;

/// <summary>
/// The destination's end of the data plane: opens page records straight into guest memory, zeroes zero runs,
/// collects the device state, and keeps the digest and the set of pages that have arrived.
/// </summary>
/// <remarks>
/// <para>Called by every stripe's receiving loop at once; stripes own disjoint chunks, hence disjoint pages and bitmap words.</para>
/// <para>A data record is hashed in <see cref="OnDataReceived"/>, right after the transport opened it into guest memory:
/// each page is tested for zero and hashed in one visit (<see cref="PageDigest.UpdatePages"/>) while the record is still
/// in the core's cache, so the destination reads a page once after writing it.</para>
/// </remarks>
internal sealed class GuestMemorySink : IRecordSink
{
    private readonly IGuestMemory _memory;
    private readonly DirtyPageBitmap _arrived;
    private readonly PageDigest _digest;
    private readonly Lock _deviceStateLock = new();
    private byte[]? _deviceState;
    private long _deviceStateLength;
    private long _dataBytes;

    public GuestMemorySink(IGuestMemory memory, int stripeCount)
    {
        _memory = memory;
        Rounds = new RoundDelivery(stripeCount);
        _arrived = new DirtyPageBitmap(memory.PageCount);
        _digest = new PageDigest(memory.PageCount, memory.PageSize);
    }

    public UInt128 Digest => _digest.Value;

    /// <summary>Which pre-copy rounds every stripe has delivered.</summary>
    public RoundDelivery Rounds { get; }

    public long ArrivedPages => _arrived.PopCount();

    public long DataBytes => Interlocked.Read(ref _dataBytes);

    public ReadOnlySpan<byte> DeviceState => _deviceState.AsSpan(0, (int)Interlocked.Read(ref _deviceStateLength));

    public Span<byte> GetDataDestination(int stripeIndex, in RecordHeader header)
    {
        if ((PrecopyRecordKind)header.Flags == PrecopyRecordKind.DeviceState)
        {
            return DeviceStateSlice(header.Label, header.PayloadLength);
        }

        var (firstPage, pageCount) = Pages(header.Label, header.PayloadLength);
        return _memory.GetWritablePages(firstPage, pageCount);
    }

    public void OnDataReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload)
    {
        Interlocked.Add(ref _dataBytes, payload.Length);
        if ((PrecopyRecordKind)header.Flags == PrecopyRecordKind.DeviceState)
        {
            long end = header.Label + header.PayloadLength;
            long current;
            while ((current = Interlocked.Read(ref _deviceStateLength)) < end && Interlocked.CompareExchange(ref _deviceStateLength, end, current) != current)
            {
            }

            return;
        }

        long firstPage = header.Label / _memory.PageSize;
        _digest.UpdatePages(firstPage, payload);
        _arrived.SetRange(firstPage, payload.Length / _memory.PageSize);
    }

    public void OnControlReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload)
    {
        if ((PrecopyRecordKind)header.Flags == PrecopyRecordKind.RoundEnd && payload.IsEmpty)
        {
            Rounds.MarkDelivered(stripeIndex, header.Label);
            return;
        }

        if ((PrecopyRecordKind)header.Flags != PrecopyRecordKind.ZeroPages || payload.Length != PrecopyRecords.ZeroPagesPayload)
        {
            throw new MigrationException(MigrationFailureKind.Protocol, $"Stripe {stripeIndex} sent an unknown control record (flags {header.Flags}, {payload.Length} bytes).");
        }

        int count = BinaryPrimitives.ReadInt32BigEndian(payload);
        var (firstPage, _) = Pages(header.Label, checked(count * _memory.PageSize));
        Span<byte> pages = _memory.GetWritablePages(firstPage, count);
        if (!PageScan.IsZero(pages))
        {
            pages.Clear(); // untouched memory stays untouched: a 1 TiB mostly-zero guest costs no RSS
        }

        _digest.UpdateZeroPages(firstPage, count);
        _arrived.SetRange(firstPage, count);
    }

    private (long FirstPage, int PageCount) Pages(long position, int length)
    {
        int pageSize = _memory.PageSize;
        if (position < 0 || position % pageSize != 0 || length <= 0 || length % pageSize != 0 || position > _memory.Size - length)
        {
            throw new MigrationException(MigrationFailureKind.Protocol, $"The source sent {length} bytes of pages at 0x{position:x}, which is not a whole run of pages inside the zone's {_memory.Size}-byte memory.");
        }

        return (position / pageSize, length / pageSize);
    }

    private Span<byte> DeviceStateSlice(long position, int length)
    {
        if (position < 0 || position > IDeviceState.MaxStateBytes - length)
        {
            throw new MigrationException(MigrationFailureKind.Protocol, $"The source sent device state beyond the {IDeviceState.MaxStateBytes}-byte limit.");
        }

        // Grown to fit, not allocated at the 16 MiB limit up front: device states are usually kilobytes. Records
        // of the state travel in order on one stripe; the lock only keeps a misbehaving source from racing a resize.
        lock (_deviceStateLock)
        {
            int needed = (int)position + length;
            if (_deviceState is null || _deviceState.Length < needed)
            {
                int size = (int)Math.Min(IDeviceState.MaxStateBytes, Math.Max(needed, 2L * (_deviceState?.Length ?? 0)));
                var grown = new byte[size];
                _deviceState?.CopyTo(grown, 0);
                _deviceState = grown;
            }

            return _deviceState.AsSpan((int)position, length);
        }
    }
}
