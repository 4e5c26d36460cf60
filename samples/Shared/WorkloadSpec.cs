using System.Globalization;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Kvm;
using KernelZones.Migration.Simulation;

namespace KernelZones.Samples;

/// <summary>
/// <c>none|&lt;MiB/s&gt;[:&lt;working set&gt;]</c>: how fast a zone's guest dirties its memory, and over how much of it.
/// The default (an empty rate, or no spec at all) is 16 MiB/s; the default working set a quarter of memory, at most 256M.
/// </summary>
internal sealed record WorkloadSpec(double DirtyMiBPerSecond, long WorkingSetBytes)
{
    private const double DefaultDirtyMiBPerSecond = 16;

    /// <summary>The workload <paramref name="spec"/> names for a guest of <paramref name="memory"/> bytes; <see langword="null"/> for <c>none</c> (an idle guest).</summary>
    /// <exception cref="UsageException">The spec is not a workload for that memory.</exception>
    public static WorkloadSpec? Parse(string? spec, long memory)
    {
        if (spec == "none")
        {
            return null;
        }

        string[] parts = (spec ?? "").Split(':', 2);
        double rate = parts[0].Length == 0 ? DefaultDirtyMiBPerSecond
            : double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && double.IsFinite(value) ? value
            : throw new UsageException($"--workload {spec}: the rate '{parts[0]}' is not a positive number of MiB/s");
        long workingSet = parts.Length < 2 ? Math.Min(memory / 4, 256L << 20)
            : MemorySize.TryParse(parts[1], out MemorySize size) && size.Bytes >= 4096 && size.Bytes <= memory ? size.Bytes
            : throw new UsageException($"--workload {spec}: the working set '{parts[1]}' is not a size from 4K to the zone's memory ({new MemorySize(memory)})");
        return new WorkloadSpec(rate, workingSet / 4096 * 4096);
    }

    /// <summary>The simulated guest's workload: this rate over this working set, which starts <paramref name="workingSetOffset"/> bytes into memory.</summary>
    public GuestWorkloadOptions ForSimulatedGuest(long workingSetOffset = 0) =>
        new() { DirtyMiBPerSecond = DirtyMiBPerSecond, WorkingSetOffset = workingSetOffset, WorkingSetBytes = WorkingSetBytes };

    /// <summary>The KVM guest program's workload for <paramref name="spec"/>: idle for <c>none</c> (null); the program places the working set itself.</summary>
    public static KvmWorkload ForKvmGuest(WorkloadSpec? spec) =>
        spec is null ? KvmWorkload.Idle : KvmWorkload.Dirty(spec.DirtyMiBPerSecond, spec.WorkingSetBytes);
}
