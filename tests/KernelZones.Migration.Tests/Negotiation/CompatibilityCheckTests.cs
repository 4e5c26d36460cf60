using KernelZones.Migration.Negotiation;

namespace KernelZones.Migration.Tests.Negotiation;

public sealed class CompatibilityCheckTests
{
    private static readonly ZoneRequirements s_zone = new(
        "kz1", "solaris-kz", 4L << 30, "largest-available", 4, "migration-class1", ["level1"], [new StorageRequirement("nfs://srv/kz1", true)]);

    private static readonly DestinationCapabilities s_host = new()
    {
        CpuArchClasses = ["migration-class1"],
        HostCompatibleLevels = ["level1", "memlzr"],
        FreeMemoryBytes = 8L << 30,
    };

    [Fact]
    public void Compatible_zone_passes()
    {
        CompatibilityReport report = CompatibilityCheck.Run(s_zone, s_zone, s_host);
        Assert.True(report.IsCompatible);
        Assert.Equal(string.Empty, report.Render());
    }

    public static TheoryData<string, string> Failures => new()
    {
        { "brand", "brand differs" },
        { "memory", "capped-memory:physical differs" },
        { "pagesize", "capped-memory:pagesize-policy differs" },
        { "vcpu", "virtual-cpu:ncpus differs" },
        { "arch", "cpu-arch 'sparc64-class1' is not supported" },
        { "level", "host-compatible level 'adi' is not supported" },
        { "free", "bytes of memory; the destination has" },
        { "storage", "storage 'dev:/dev/dsk/c0t0d0' is not shared storage" },
        { "running", "a zone named 'kz1' is already running" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Each_failure_is_reported(string failure, string expected)
    {
        ZoneRequirements destinationConfig = s_zone;
        ZoneRequirements zone = s_zone;
        DestinationCapabilities host = s_host;
        switch (failure)
        {
            case "brand": destinationConfig = s_zone with { Brand = "solaris" }; break;
            case "memory": destinationConfig = s_zone with { MemoryBytes = 2L << 30 }; break;
            case "pagesize": destinationConfig = s_zone with { PagesizePolicy = "fixed" }; break;
            case "vcpu": destinationConfig = s_zone with { VirtualCpuCount = 2 }; break;
            case "arch": zone = destinationConfig = s_zone with { CpuArch = "sparc64-class1" }; break;
            case "level": zone = destinationConfig = s_zone with { HostCompatibleLevels = ["adi"] }; break;
            case "free": host = s_host with { FreeMemoryBytes = 1L << 30 }; break;
            case "storage": zone = destinationConfig = s_zone with { Storage = [new StorageRequirement("dev:/dev/dsk/c0t0d0", false)] }; break;
            case "running": host = s_host with { IsZoneRunning = name => name == "kz1" }; break;
        }

        CompatibilityReport report = CompatibilityCheck.Run(zone, destinationConfig, host);
        Assert.False(report.IsCompatible);
        string rendered = report.Render();
        Assert.StartsWith("configuration check failed:\nerror: ", rendered, StringComparison.Ordinal);
        Assert.Contains(expected, rendered, StringComparison.Ordinal);
        Assert.Equal(MigrationFailureKind.Compatibility, Assert.Throws<MigrationException>(report.ThrowIfIncompatible).Kind);
    }

    [Fact]
    public void Every_problem_is_reported_one_line_each()
    {
        CompatibilityReport report = CompatibilityCheck.Run(s_zone with { Brand = "x", CpuArch = "y" }, null, s_host with { FreeMemoryBytes = 0 });
        Assert.Equal(3, report.Problems.Count);
        Assert.Equal(4, report.Render().Split('\n').Length);
    }

    [Fact]
    public void Reachability_hook_is_asked_about_shared_storage_only()
    {
        var asked = new List<string>();
        ZoneRequirements zone = s_zone with { Storage = [new StorageRequirement("nfs://srv/kz1", true), new StorageRequirement("dev:/dev/dsk/c0t0d0", false)] };
        DestinationCapabilities host = s_host with { IsStorageReachable = uri => { asked.Add(uri); return false; } };

        string rendered = CompatibilityCheck.Run(zone, null, host).Render();

        Assert.Equal(["nfs://srv/kz1"], asked);
        Assert.Contains("storage 'nfs://srv/kz1' is not reachable from the destination", rendered, StringComparison.Ordinal);
        Assert.Contains("storage 'dev:/dev/dsk/c0t0d0' is not shared storage", rendered, StringComparison.Ordinal);
    }
}
