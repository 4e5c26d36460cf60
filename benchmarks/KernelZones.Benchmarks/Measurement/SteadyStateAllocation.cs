namespace KernelZones.Benchmarks.Measurement;

/// <summary>
/// Managed allocation in a run's steady state: the process-wide allocated-bytes counter is read when the
/// receiver has taken 25 % of the run's bytes and again at 75 %, so setup, warm-up (pools filling) and
/// teardown are left out. Thread-safe: receiving loops of every stripe report into one instance.
/// </summary>
internal sealed class SteadyStateAllocation(long totalBytes)
{
    private readonly long _start = totalBytes / 4;
    private readonly long _end = totalBytes * 3 / 4;
    private long _received;
    private long _allocatedAtStart = -1;
    private long _receivedAtStart;
    private double _bytesPerGiB = double.NaN;

    public double BytesPerGiB => Volatile.Read(ref _bytesPerGiB);

    public void Add(int bytes)
    {
        long before = Interlocked.Add(ref _received, bytes) - bytes;
        long after = before + bytes;
        if (before < _start && after >= _start)
        {
            _receivedAtStart = after;
            Volatile.Write(ref _allocatedAtStart, GC.GetTotalAllocatedBytes(precise: true));
        }
        else if (before < _end && after >= _end && Volatile.Read(ref _allocatedAtStart) >= 0)
        {
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocatedAtStart;
            Volatile.Write(ref _bytesPerGiB, allocated / ((after - _receivedAtStart) / (double)(1L << 30)));
        }
    }
}
