namespace KernelZones.Migration.Negotiation;

/// <summary>What the destination host offers a migrating zone; checked against each migrating zone's needs before any memory moves.</summary>
/// <remarks>Immutable once built; the hooks must be thread-safe.</remarks>
public sealed record DestinationCapabilities
{
    /// <summary>Brands this host runs. Default: <c>solaris-kz</c>.</summary>
    public IReadOnlyList<string> Brands { get; init; } = ["solaris-kz"];

    /// <summary><c>pagesize-policy</c> values this host supports. Default: <c>largest-only largest-available smallest-only fixed</c>.</summary>
    public IReadOnlyList<string> PagesizePolicies { get; init; } = ["largest-only", "largest-available", "smallest-only", "fixed"];

    /// <summary><c>cpu-arch</c> migration classes this host's CPU can run. Default: none (only zones with no <c>cpu-arch</c> set).</summary>
    public IReadOnlyList<string> CpuArchClasses { get; init; } = [];

    /// <summary><c>host-compatible</c> levels this host supports. Default: none.</summary>
    public IReadOnlyList<string> HostCompatibleLevels { get; init; } = [];

    /// <summary>Memory this host can reserve for the zone now, in bytes. Default: 0.</summary>
    public long FreeMemoryBytes { get; init; }

    /// <summary>The most vCPUs a zone may have here; 0 means no limit. Default: 0.</summary>
    public int MaxVirtualCpus { get; init; }

    /// <summary>
    /// Whether this host can open a shared storage URI (<c>nfs://</c>, <c>iscsi://</c>, <c>lu:</c>), given as <c>zonecfg</c>
    /// writes it, e.g. <c>nfs://zoss:zoss@kzx-05/zones/zoss/mig1.disk0</c>. Local storage (<c>dev:</c>, <c>file://</c>) is
    /// never reachable from another host and is not asked about. Default: every shared storage URI is reachable.
    /// </summary>
    public Func<string, bool> IsStorageReachable { get; init; } = static _ => true;

    /// <summary>Whether a zone of this name runs here already; the destination sets it from its <c>ZoneHost</c>.</summary>
    internal Func<string, bool> IsZoneRunning { get; init; } = static _ => false;
}
