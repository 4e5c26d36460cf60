namespace KernelZones.Migration.Negotiation;

/// <summary>
/// What a zone needs from a host to resume there: the inputs of the compatibility check, independent
/// of the zone configuration model.
/// </summary>
/// <param name="ZoneName">The zone name.</param>
/// <param name="Brand">The zone brand, <c>solaris-kz</c> for kernel zones.</param>
/// <param name="MemoryBytes">The zone's <c>capped-memory:physical</c>, in bytes.</param>
/// <param name="PagesizePolicy">The <c>capped-memory:pagesize-policy</c>, e.g. <c>largest-available</c>; empty when unset.</param>
/// <param name="VirtualCpuCount">The zone's <c>virtual-cpu:ncpus</c>.</param>
/// <param name="CpuArch">The <c>cpu-arch</c> migration class; empty when unset (same class as the host).</param>
/// <param name="HostCompatibleLevels">The <c>host-compatible</c> levels, e.g. <c>level1</c>, <c>memlzr</c>; empty when unset.</param>
/// <param name="Storage">Every storage URI the zone uses.</param>
/// <param name="DeviceStateFormat">The <see cref="Guests.IDeviceState.Format"/> of the zone's guest: on the source the
/// running guest's, on the destination the guest it booted in migrating-in mode; null when not stated. On the wire one
/// trailing field, left out when null. A source of an earlier release speaks the same protocol version and does not
/// state it: nothing in the version tells it apart, so its zone is checked without it, and the restore's own checks of
/// the state remain.</param>
internal sealed record ZoneRequirements(
    string ZoneName,
    string Brand,
    long MemoryBytes,
    string PagesizePolicy,
    int VirtualCpuCount,
    string CpuArch,
    IReadOnlyList<string> HostCompatibleLevels,
    IReadOnlyList<StorageRequirement> Storage,
    string? DeviceStateFormat = null);
