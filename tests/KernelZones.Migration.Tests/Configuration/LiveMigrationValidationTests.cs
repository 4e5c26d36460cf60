using KernelZones.Migration.Configuration;

namespace KernelZones.Migration.Tests.Configuration;

public sealed class LiveMigrationValidationTests
{
    [Fact]
    public void Seed_mig1_on_nfs_qualifies()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseExport(ReferenceConfigurations.Mig1Export, "mig1");
        Assert.Empty(config.ValidateForLiveMigration());
        Assert.True(config.Storage.Single().IsShared);
    }

    [Fact]
    public void Each_violation_is_reported_separately_naming_resource_id_and_uri()
    {
        ZoneConfiguration config = new ZoneConfigurationBuilder("kz")
            .SetProperty("brand", "solaris")
            .AddResource("device", ("id", "0"), ("storage", "dev:/dev/zvol/dsk/rpool/kz/disk0"))
            .AddResource("device", ("id", "1"), ("storage", "iscsi://zfssa/luname.naa.600144f0dbf8af19000052e820d60003"))
            .AddResource("device", ("id", "2"), ("match", "/dev/dsk/c0t1d0"))
            .AddResource("device", ("id", "3"), ("storage", "file:///export/disk3"))
            .AddResource("suspend", ("path", "/system/zones/%{zonename}/suspend"))
            .Build();

        IReadOnlyList<LiveMigrationProblem> problems = config.ValidateForLiveMigration();

        Assert.Equal(
            [LiveMigrationProblemKind.NotKernelZone, LiveMigrationProblemKind.MemoryNotCapped, LiveMigrationProblemKind.DeviceNotShared,
             LiveMigrationProblemKind.DeviceWithoutStorage, LiveMigrationProblemKind.DeviceNotShared, LiveMigrationProblemKind.SuspendNotShared],
            problems.Select(p => p.Kind));
        Assert.Equal([null, null, 0, 2, 3, null], problems.Select(p => p.ResourceId));
        Assert.Equal("device 0: storage dev:/dev/zvol/dsk/rpool/kz/disk0 is not shared storage; live migration needs nfs, iscsi or lu", problems[2].Message);
        Assert.Equal("file:///export/disk3", problems[4].Uri!.ToString());
        Assert.Contains("/system/zones/kz/suspend", problems[5].Message, StringComparison.Ordinal);
        Assert.Equal("suspend", problems[5].ResourceType);
    }

    [Fact]
    public void Local_suspend_storage_is_refused_and_shared_suspend_storage_accepted()
    {
        ZoneConfigurationBuilder builder = new ZoneConfigurationBuilder("kz").AddResource("capped-memory", ("physical", "4G"));
        Assert.Equal(LiveMigrationProblemKind.SuspendNotShared, builder.AddResource("suspend", ("storage", "dev:dsk/c0t0d0s0")).Build().ValidateForLiveMigration().Single().Kind);
        builder.RemoveResources(r => r.Type == "suspend");
        Assert.Empty(builder.AddResource("suspend", ("storage", "iscsi://system/luname.naa.501337600144f0dbf8af1900")).Build().ValidateForLiveMigration());
    }

    [Fact]
    public void Equal_configurations_compare_equal_regardless_of_property_order()
    {
        ZoneConfiguration a = ZoneConfiguration.ParseExport("create -b\nset brand=solaris-kz\nset autoboot=true\nadd anet\nset id=0\nset lower-link=auto\nend\n", "z");
        ZoneConfiguration b = ZoneConfiguration.ParseExport("create -b\nset autoboot=true\nset brand=solaris-kz\nadd anet\nset lower-link=auto\nset id=0\nend\n", "z");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b.WithProperty("autoboot", "false"));
        Assert.NotEqual(a, b.WithZoneName("y"));
    }
}
