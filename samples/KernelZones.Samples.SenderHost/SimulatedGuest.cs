using System.Globalization;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation;

namespace KernelZones.Samples.SenderHost;

/// <summary>
/// The zone's guest, booted in the migrating process: memory of the configuration's <c>capped-memory physical</c>,
/// half of it holding data, and a workload dirtying <c>&lt;MiB/s&gt;</c> over a working set (<c>--workload</c> or
/// <c>KZ_WORKLOAD</c>; default 16 MiB/s over a quarter of memory, at most 256 MiB; <c>none</c> for an idle guest).
/// </summary>
internal sealed class SimulatedGuest : IDisposable
{
    private const double DefaultDirtyMiBPerSecond = 16;

    private SimulatedGuest(InMemoryGuest guest, GuestWorkload? workload)
    {
        Guest = guest;
        Workload = workload;
    }

    public InMemoryGuest Guest { get; }

    public GuestWorkload? Workload { get; }

    public static SimulatedGuest Boot(ZoneConfiguration configuration, string? workloadSpec)
    {
        long memory = configuration.PhysicalMemory?.Bytes
            ?? throw new UsageException($"zone '{configuration.ZoneName}': capped-memory physical is not set; the guest needs a memory size");
        GuestWorkloadOptions? options = ParseWorkload(workloadSpec, memory);
        var guest = new InMemoryGuest(memory);
        guest.Memory.FillRandom(0, memory / 2, seed: configuration.ZoneName.Aggregate(17, (hash, c) => unchecked((hash * 31) + c)));
        GuestWorkload? workload = options is null ? null : new GuestWorkload(guest, options);
        workload?.Start();
        return new SimulatedGuest(guest, workload);
    }

    public void Dispose() => Guest.Dispose();

    private static GuestWorkloadOptions? ParseWorkload(string? spec, long memory)
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
        return new GuestWorkloadOptions { DirtyMiBPerSecond = rate, WorkingSetBytes = workingSet / 4096 * 4096 };
    }
}
