using KernelZones.Migration.Configuration;
using KernelZones.Migration.Negotiation;

namespace KernelZones.Migration.Engine;

/// <summary>What the compatibility check needs to know of a zone, read off its configuration.</summary>
internal static class ZoneRequirementsMapping
{
    public static ZoneRequirements From(ZoneConfiguration configuration, string? deviceStateFormat)
    {
        string hostCompatible = configuration.HostCompatible ?? "";
        return new ZoneRequirements(
            configuration.ZoneName,
            configuration.Brand,
            configuration.PhysicalMemory?.Bytes ?? 0,
            configuration.PageSizePolicy ?? "",
            configuration.VirtualCpus ?? 0,
            configuration.CpuArch ?? "",
            hostCompatible.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            configuration.Storage.Select(s => new StorageRequirement(s.Uri.ToString(), s.IsShared)).ToArray(),
            deviceStateFormat);
    }
}
