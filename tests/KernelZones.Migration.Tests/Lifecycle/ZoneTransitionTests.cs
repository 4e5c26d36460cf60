using KernelZones.Migration.Configuration;
using KernelZones.Migration.Lifecycle;

namespace KernelZones.Migration.Tests.Lifecycle;

public sealed class ZoneTransitionTests
{
    private static readonly (ZoneState State, ZoneAuxiliaryState Aux, Action<Zone> Reach)[] s_situations =
    [
        (ZoneState.Configured, ZoneAuxiliaryState.None, _ => { }),
        (ZoneState.Installed, ZoneAuxiliaryState.None, z => z.Install()),
        (ZoneState.Installed, ZoneAuxiliaryState.Suspended, z => { z.Install(); z.Boot(); z.Suspend(); }),
        (ZoneState.Incomplete, ZoneAuxiliaryState.None, z => { z.Install(); z.MarkIncomplete(); }),
        (ZoneState.Unavailable, ZoneAuxiliaryState.None, z => { z.Install(); z.MarkUnavailable(); }),
        (ZoneState.Ready, ZoneAuxiliaryState.None, z => { z.Install(); z.Ready(); }),
        (ZoneState.Running, ZoneAuxiliaryState.None, z => { z.Install(); z.Boot(); }),
        (ZoneState.Running, ZoneAuxiliaryState.MigratingIn, z => { z.Attach(); z.BootMigratingIn(); }),
        (ZoneState.Running, ZoneAuxiliaryState.MigratingOut, z => { z.Install(); z.Boot(); z.BeginMigrationOut(); }),
        (ZoneState.Running, ZoneAuxiliaryState.Panicked, z => { z.Install(); z.Boot(); z.ReportPanic(); }),
    ];

    // The complete table of legal transitions: (state, aux, operation) -> (state, aux). Everything else is refused.
    private static readonly Dictionary<(ZoneState, ZoneAuxiliaryState, ZoneOperation), (ZoneState, ZoneAuxiliaryState)> s_legal = new()
    {
        [(ZoneState.Configured, ZoneAuxiliaryState.None, ZoneOperation.Install)] = (ZoneState.Installed, ZoneAuxiliaryState.None),
        [(ZoneState.Configured, ZoneAuxiliaryState.None, ZoneOperation.Attach)] = (ZoneState.Installed, ZoneAuxiliaryState.None),
        [(ZoneState.Configured, ZoneAuxiliaryState.None, ZoneOperation.Delete)] = (ZoneState.Configured, ZoneAuxiliaryState.None),
        [(ZoneState.Installed, ZoneAuxiliaryState.None, ZoneOperation.Detach)] = (ZoneState.Configured, ZoneAuxiliaryState.None),
        [(ZoneState.Installed, ZoneAuxiliaryState.None, ZoneOperation.Uninstall)] = (ZoneState.Configured, ZoneAuxiliaryState.None),
        [(ZoneState.Installed, ZoneAuxiliaryState.None, ZoneOperation.Ready)] = (ZoneState.Ready, ZoneAuxiliaryState.None),
        [(ZoneState.Installed, ZoneAuxiliaryState.None, ZoneOperation.Boot)] = (ZoneState.Running, ZoneAuxiliaryState.None),
        [(ZoneState.Installed, ZoneAuxiliaryState.None, ZoneOperation.BootMigratingIn)] = (ZoneState.Running, ZoneAuxiliaryState.MigratingIn),
        [(ZoneState.Installed, ZoneAuxiliaryState.None, ZoneOperation.MarkIncomplete)] = (ZoneState.Incomplete, ZoneAuxiliaryState.None),
        [(ZoneState.Installed, ZoneAuxiliaryState.None, ZoneOperation.MarkUnavailable)] = (ZoneState.Unavailable, ZoneAuxiliaryState.None),
        [(ZoneState.Installed, ZoneAuxiliaryState.Suspended, ZoneOperation.Detach)] = (ZoneState.Configured, ZoneAuxiliaryState.Suspended),
        [(ZoneState.Installed, ZoneAuxiliaryState.Suspended, ZoneOperation.Uninstall)] = (ZoneState.Configured, ZoneAuxiliaryState.None),
        [(ZoneState.Installed, ZoneAuxiliaryState.Suspended, ZoneOperation.Ready)] = (ZoneState.Ready, ZoneAuxiliaryState.Suspended),
        [(ZoneState.Installed, ZoneAuxiliaryState.Suspended, ZoneOperation.Boot)] = (ZoneState.Running, ZoneAuxiliaryState.None),
        [(ZoneState.Installed, ZoneAuxiliaryState.Suspended, ZoneOperation.MarkIncomplete)] = (ZoneState.Incomplete, ZoneAuxiliaryState.None),
        [(ZoneState.Installed, ZoneAuxiliaryState.Suspended, ZoneOperation.MarkUnavailable)] = (ZoneState.Unavailable, ZoneAuxiliaryState.Suspended),
        [(ZoneState.Incomplete, ZoneAuxiliaryState.None, ZoneOperation.Uninstall)] = (ZoneState.Configured, ZoneAuxiliaryState.None),
        [(ZoneState.Unavailable, ZoneAuxiliaryState.None, ZoneOperation.Uninstall)] = (ZoneState.Configured, ZoneAuxiliaryState.None),
        [(ZoneState.Unavailable, ZoneAuxiliaryState.None, ZoneOperation.Attach)] = (ZoneState.Installed, ZoneAuxiliaryState.None),
        [(ZoneState.Unavailable, ZoneAuxiliaryState.None, ZoneOperation.MarkIncomplete)] = (ZoneState.Incomplete, ZoneAuxiliaryState.None),
        [(ZoneState.Ready, ZoneAuxiliaryState.None, ZoneOperation.Boot)] = (ZoneState.Running, ZoneAuxiliaryState.None),
        [(ZoneState.Ready, ZoneAuxiliaryState.None, ZoneOperation.Halt)] = (ZoneState.Installed, ZoneAuxiliaryState.None),
        [(ZoneState.Running, ZoneAuxiliaryState.None, ZoneOperation.Halt)] = (ZoneState.Installed, ZoneAuxiliaryState.None),
        [(ZoneState.Running, ZoneAuxiliaryState.None, ZoneOperation.Suspend)] = (ZoneState.Installed, ZoneAuxiliaryState.Suspended),
        [(ZoneState.Running, ZoneAuxiliaryState.None, ZoneOperation.BeginMigrationOut)] = (ZoneState.Running, ZoneAuxiliaryState.MigratingOut),
        [(ZoneState.Running, ZoneAuxiliaryState.None, ZoneOperation.Panic)] = (ZoneState.Running, ZoneAuxiliaryState.Panicked),
        [(ZoneState.Running, ZoneAuxiliaryState.MigratingIn, ZoneOperation.CompleteMigrationIn)] = (ZoneState.Running, ZoneAuxiliaryState.None),
        [(ZoneState.Running, ZoneAuxiliaryState.MigratingIn, ZoneOperation.Halt)] = (ZoneState.Installed, ZoneAuxiliaryState.None),
        [(ZoneState.Running, ZoneAuxiliaryState.MigratingIn, ZoneOperation.Panic)] = (ZoneState.Running, ZoneAuxiliaryState.MigratingIn | ZoneAuxiliaryState.Panicked),
        [(ZoneState.Running, ZoneAuxiliaryState.MigratingOut, ZoneOperation.EndMigrationOut)] = (ZoneState.Running, ZoneAuxiliaryState.None),
        [(ZoneState.Running, ZoneAuxiliaryState.MigratingOut, ZoneOperation.Halt)] = (ZoneState.Installed, ZoneAuxiliaryState.None),
        [(ZoneState.Running, ZoneAuxiliaryState.MigratingOut, ZoneOperation.Panic)] = (ZoneState.Running, ZoneAuxiliaryState.MigratingOut | ZoneAuxiliaryState.Panicked),
        [(ZoneState.Running, ZoneAuxiliaryState.Panicked, ZoneOperation.Halt)] = (ZoneState.Installed, ZoneAuxiliaryState.None),
        [(ZoneState.Running, ZoneAuxiliaryState.Panicked, ZoneOperation.Panic)] = (ZoneState.Running, ZoneAuxiliaryState.Panicked),
    };

    public static TheoryData<int, ZoneOperation> Cases()
    {
        var data = new TheoryData<int, ZoneOperation>();
        for (int i = 0; i < s_situations.Length; i++)
        {
            foreach (ZoneOperation operation in Enum.GetValues<ZoneOperation>().Where(o => o != ZoneOperation.Reconfigure))
            {
                data.Add(i, operation);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Only_legal_transitions_happen_and_illegal_ones_are_refused_naming_zone_state_and_operation(int situation, ZoneOperation operation)
    {
        (ZoneState state, ZoneAuxiliaryState aux, Action<Zone> reach) = s_situations[situation];
        var host = new ZoneHost();
        Zone zone = host.Configure(SuspendableZone("kzone1"));
        reach(zone);
        Assert.Equal(new ZoneStatus(state, aux, zone.Status.Id), zone.Status);

        if (s_legal.TryGetValue((state, aux, operation), out (ZoneState State, ZoneAuxiliaryState Aux) expected))
        {
            Run(host, zone, operation);
            Assert.Equal((expected.State, expected.Aux), (zone.State, zone.AuxiliaryState));
            Assert.Equal(expected.State is ZoneState.Ready or ZoneState.Running, zone.Status.Id is not null);
            return;
        }

        ZoneStatus before = zone.Status;
        ZoneStateException e = Assert.Throws<ZoneStateException>(() => Run(host, zone, operation));
        Assert.Equal(before, zone.Status);
        Assert.Equal(("kzone1", state, aux, operation), (e.ZoneName, e.State!.Value, e.AuxiliaryState, e.Operation));
        Assert.StartsWith("zone 'kzone1': ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ZoneOperation.Boot, "zone 'kzone1': must be installed before boot.")]
    [InlineData(ZoneOperation.Detach, "zone 'kzone1': must be installed before detach.")]
    [InlineData(ZoneOperation.Halt, "zone 'kzone1': must be running before halt.")]
    [InlineData(ZoneOperation.CompleteMigrationIn, "zone 'kzone1': resume operation is invalid for configured zones.")]
    public void Refusals_read_like_zoneadm(ZoneOperation operation, string message)
    {
        var host = new ZoneHost();
        Zone zone = host.Configure(SuspendableZone("kzone1"));
        Assert.Equal(message, Assert.Throws<ZoneStateException>(() => Run(host, zone, operation)).Message);
    }

    [Fact]
    public void Running_twice_says_already_running_and_suspend_needs_a_suspend_resource()
    {
        var host = new ZoneHost();
        Zone zone = host.Configure(new ZoneConfigurationBuilder("kz").Build());
        zone.Install();
        zone.Boot();
        Assert.Equal("zone 'kz': is already running.", Assert.Throws<ZoneStateException>(zone.Boot).Message);
        Assert.Contains("no suspend resource", Assert.Throws<ZoneStateException>(zone.Suspend).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Observers_see_every_change_in_order()
    {
        var host = new ZoneHost();
        Zone zone = host.Configure(SuspendableZone("kz"));
        var seen = new List<ZoneStateChangedEventArgs>();
        zone.StateChanged += (_, e) => seen.Add(e);

        zone.Attach();
        zone.BootMigratingIn();
        zone.CompleteMigrationIn();
        Assert.Throws<ZoneStateException>(zone.Install);

        Assert.Equal([1L, 2, 3], seen.Select(e => e.Sequence));
        Assert.Equal([ZoneOperation.Attach, ZoneOperation.BootMigratingIn, ZoneOperation.CompleteMigrationIn], seen.Select(e => e.Operation));
        Assert.Equal(new ZoneStatus(ZoneState.Installed, ZoneAuxiliaryState.None, null), seen[1].Previous);
        Assert.Equal(ZoneAuxiliaryState.MigratingIn, seen[1].Current.AuxiliaryState);
        Assert.Same(zone, seen[2].Zone);
    }

    [Fact]
    public void Configuration_updates_keep_the_name_and_the_brand_after_install()
    {
        var host = new ZoneHost();
        Zone zone = host.Configure(SuspendableZone("kz"));
        zone.UpdateConfiguration(zone.Configuration.WithProperty("autoboot", "true"));
        Assert.True(zone.Configuration.Autoboot);
        Assert.Throws<ZoneStateException>(() => zone.UpdateConfiguration(zone.Configuration.WithZoneName("other")));
        zone.Install();
        Assert.Throws<ZoneStateException>(() => zone.UpdateConfiguration(zone.Configuration.WithProperty("brand", "solaris")));
    }

    internal static ZoneConfiguration SuspendableZone(string name) => new ZoneConfigurationBuilder(name)
        .AddResource("capped-memory", ("physical", "4G"))
        .AddResource("suspend", ("path", "/system/zones/%{zonename}/suspend"))
        .Build();

    private static void Run(ZoneHost host, Zone zone, ZoneOperation operation)
    {
        Action action = operation switch
        {
            ZoneOperation.Install => zone.Install,
            ZoneOperation.Uninstall => zone.Uninstall,
            ZoneOperation.Attach => zone.Attach,
            ZoneOperation.Detach => zone.Detach,
            ZoneOperation.Ready => zone.Ready,
            ZoneOperation.Boot => zone.Boot,
            ZoneOperation.BootMigratingIn => zone.BootMigratingIn,
            ZoneOperation.CompleteMigrationIn => zone.CompleteMigrationIn,
            ZoneOperation.BeginMigrationOut => zone.BeginMigrationOut,
            ZoneOperation.EndMigrationOut => zone.EndMigrationOut,
            ZoneOperation.Halt => zone.Halt,
            ZoneOperation.Suspend => zone.Suspend,
            ZoneOperation.MarkIncomplete => zone.MarkIncomplete,
            ZoneOperation.MarkUnavailable => zone.MarkUnavailable,
            ZoneOperation.Panic => zone.ReportPanic,
            ZoneOperation.Delete => () => host.Delete(zone.Name),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };
        action();
    }
}
