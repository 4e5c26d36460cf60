namespace KernelZones.Migration.Negotiation;

/// <summary>One storage URI a zone uses (boot disk, data disk, suspend image).</summary>
/// <param name="Uri">The storage URI as <c>zonecfg</c> writes it, e.g. <c>nfs://server/export/kz1.img</c>.</param>
/// <param name="IsShared">Whether the URI names shared storage that another host can open (not a local <c>dev:</c> path).</param>
internal sealed record StorageRequirement(string Uri, bool IsShared);
