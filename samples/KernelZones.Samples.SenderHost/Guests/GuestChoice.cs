using KernelZones.Migration.Configuration;

namespace KernelZones.Samples.SenderHost.Guests;

/// <summary>
/// What <c>zoneadm boot</c> recorded for the zone's guest: <c>--guest sim|kvm</c> and <c>--workload</c>. A zone
/// recorded running has no process of its own; <c>migrate</c> boots this guest in the migrating process.
/// </summary>
internal sealed record GuestChoice(GuestKind Kind, string? Workload)
{
    /// <summary>A zone booted without a choice: a simulated guest with the default workload.</summary>
    public static GuestChoice Default { get; } = new(GuestKind.Sim, null);

    /// <summary>The kind's name as <c>--guest</c> spells it.</summary>
    public static string Name(GuestKind kind) => kind == GuestKind.Kvm ? "kvm" : "sim";

    /// <summary>One line: the kind, then the workload if one was given (<c>kvm 64:16M</c>).</summary>
    public string Format() => Workload is null ? Name(Kind) : $"{Name(Kind)} {Workload}";

    /// <summary>Reads what <see cref="Format"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The line names no guest kind.</exception>
    public static GuestChoice Parse(string line)
    {
        string[] fields = line.Trim().Split(' ', 2);
        GuestKind kind = fields[0] switch
        {
            "sim" => GuestKind.Sim,
            "kvm" => GuestKind.Kvm,
            _ => throw new InvalidDataException($"unknown guest kind '{fields[0]}' (expected sim or kvm)"),
        };
        return new GuestChoice(kind, fields.Length > 1 ? fields[1] : null);
    }

    /// <summary>
    /// Boots the guest for <paramref name="configuration"/>. Its workload is <paramref name="workload"/> (migrate's
    /// <c>--workload</c>) when given, else the one boot recorded, else <c>KZ_WORKLOAD</c>, else the default.
    /// </summary>
    /// <param name="console">Where a KVM guest's console lines go; <see langword="null"/> drops them.</param>
    /// <exception cref="UsageException">The zone has no memory size, or the workload does not fit it.</exception>
    public async Task<IZoneGuest> BootAsync(ZoneConfiguration configuration, string? workload, Action<string>? console, CancellationToken cancellationToken)
    {
        long memory = configuration.PhysicalMemory?.Bytes
            ?? throw new UsageException($"zone '{configuration.ZoneName}': capped-memory physical is not set; the guest needs a memory size");
        WorkloadSpec? load = WorkloadSpec.Parse(workload ?? Workload ?? Environment.GetEnvironmentVariable("KZ_WORKLOAD"), memory);
        return Kind == GuestKind.Kvm
            ? await KvmZoneGuest.BootAsync(configuration, memory, load, console, cancellationToken)
            : SimulatedGuest.Boot(configuration, memory, load);
    }
}
