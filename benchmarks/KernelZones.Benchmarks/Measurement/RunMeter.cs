using System.Diagnostics;

namespace KernelZones.Benchmarks.Measurement;

/// <summary>Wall time, process CPU time and managed bytes allocated (all threads) over one measured section.</summary>
internal sealed class RunMeter
{
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly long _allocated = GC.GetTotalAllocatedBytes(precise: true);

    public RunResult Stop(long bytes)
    {
        _wall.Stop();
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - _cpu).TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocated;
        return new RunResult(bytes, _wall.Elapsed.TotalSeconds, cpu, allocated);
    }
}

/// <summary>One measured run.</summary>
internal readonly record struct RunResult(long Bytes, double Seconds, double CpuSeconds, long AllocatedBytes)
{
    /// <summary>Managed bytes allocated per GiB between 25 % and 75 % of the bytes received (no setup, no warm-up); NaN when not measured.</summary>
    public double SteadyStateBytesPerGiB { get; init; } = double.NaN;

    public double GBps => Bytes / Seconds / 1e9;

    public double AllocatedBytesPerGiB => AllocatedBytes / (Bytes / (double)(1L << 30));
}
