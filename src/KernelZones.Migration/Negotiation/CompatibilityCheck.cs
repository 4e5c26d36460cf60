using System.Globalization;

namespace KernelZones.Migration.Negotiation;

/// <summary>"Checking migration compatibility": whether a zone can resume on the destination (as Solaris 11.3 checks it).</summary>
internal static class CompatibilityCheck
{
    /// <summary>Runs every check and reports every problem.</summary>
    /// <param name="source">The zone as the source runs it.</param>
    /// <param name="destinationConfiguration">The zone as configured on the destination (imported or pre-existing), or <see langword="null"/> to skip the comparison.</param>
    /// <param name="destination">What the destination offers.</param>
    public static CompatibilityReport Run(ZoneRequirements source, ZoneRequirements? destinationConfiguration, DestinationCapabilities destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var problems = new List<string>();
        if (destinationConfiguration is not null)
        {
            CompareConfigurations(source, destinationConfiguration, problems);
        }

        CheckHost(source, destination, problems);
        foreach (StorageRequirement storage in source.Storage.Where(s => !s.IsShared || !destination.IsStorageReachable(s.Uri)))
        {
            problems.Add(storage.IsShared
                ? $"storage '{storage.Uri}' is not reachable from the destination"
                : $"storage '{storage.Uri}' is not shared storage and cannot be reached from the destination");
        }

        if (destination.IsZoneRunning(source.ZoneName))
        {
            problems.Add($"a zone named '{source.ZoneName}' is already running on the destination");
        }

        return new CompatibilityReport(problems);
    }

    private static void CompareConfigurations(ZoneRequirements source, ZoneRequirements target, List<string> problems)
    {
        Compare("brand", source.Brand, target.Brand, problems);
        Compare("capped-memory:physical", source.MemoryBytes.ToString(CultureInfo.InvariantCulture), target.MemoryBytes.ToString(CultureInfo.InvariantCulture), problems);
        Compare("capped-memory:pagesize-policy", source.PagesizePolicy, target.PagesizePolicy, problems);
        Compare("virtual-cpu:ncpus", source.VirtualCpuCount.ToString(CultureInfo.InvariantCulture), target.VirtualCpuCount.ToString(CultureInfo.InvariantCulture), problems);
        Compare("cpu-arch", source.CpuArch, target.CpuArch, problems);
        Compare("host-compatible", string.Join(',', source.HostCompatibleLevels), string.Join(',', target.HostCompatibleLevels), problems);
        if (source.DeviceStateFormat is not null)
        {
            // The state the source's guest captures must be one the destination's guest restores: compared before any memory moves, and in a dry run.
            Compare("device state format", source.DeviceStateFormat, target.DeviceStateFormat ?? "", problems);
        }
    }

    private static void Compare(string property, string source, string target, List<string> problems)
    {
        if (!string.Equals(source, target, StringComparison.Ordinal))
        {
            problems.Add($"{property} differs: '{source}' on the source, '{target}' on the destination");
        }
    }

    private static void CheckHost(ZoneRequirements zone, DestinationCapabilities host, List<string> problems)
    {
        if (!host.Brands.Contains(zone.Brand))
        {
            problems.Add($"brand '{zone.Brand}' is not supported on the destination");
        }

        if (zone.PagesizePolicy.Length > 0 && !host.PagesizePolicies.Contains(zone.PagesizePolicy))
        {
            problems.Add($"pagesize-policy '{zone.PagesizePolicy}' is not supported on the destination");
        }

        if (host.MaxVirtualCpus > 0 && zone.VirtualCpuCount > host.MaxVirtualCpus)
        {
            problems.Add($"{zone.VirtualCpuCount} virtual CPUs exceed the destination's limit of {host.MaxVirtualCpus}");
        }

        if (zone.CpuArch.Length > 0 && !host.CpuArchClasses.Contains(zone.CpuArch))
        {
            problems.Add($"cpu-arch '{zone.CpuArch}' is not supported by the destination's CPU (supported: {Names(host.CpuArchClasses)})");
        }

        foreach (string level in zone.HostCompatibleLevels.Where(l => !host.HostCompatibleLevels.Contains(l)))
        {
            problems.Add($"host-compatible level '{level}' is not supported on the destination (supported: {Names(host.HostCompatibleLevels)})");
        }

        if (zone.MemoryBytes > host.FreeMemoryBytes)
        {
            problems.Add($"the zone needs {zone.MemoryBytes} bytes of memory; the destination has {host.FreeMemoryBytes} bytes free");
        }
    }

    private static string Names(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(' ', names);
}
