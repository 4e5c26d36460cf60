using KernelZones.Migration.Configuration;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Tests.Configuration;

namespace KernelZones.Migration.Tests.Lifecycle;

public sealed class ZoneHostTests
{
    [Fact]
    public void Seed_migration_sequence_ends_configured_on_the_source_and_running_on_the_destination()
    {
        var source = new ZoneHost();
        var destination = new ZoneHost();
        Zone mig1 = source.Configure(ZoneConfiguration.ParseExport(ReferenceConfigurations.Mig1Export, "mig1"));
        mig1.Install();
        mig1.Boot();
        Assert.Equal("NAME             STATUS           AUXILIARY STATE\nmig1             running\n", source.ListStatus("mig1"));

        mig1.BeginMigrationOut();
        using (ZoneNameReservation reservation = destination.Reserve("mig1"))
        {
            Zone imported = reservation.Configure(ZoneConfiguration.ParseExport(mig1.Configuration.ToExport(), "mig1"));
            imported.Attach();
            imported.BootMigratingIn();
            Assert.Equal("NAME             STATUS           AUXILIARY STATE\nmig1             running          migrating-in\n", destination.ListStatus("mig1"));
            Assert.Equal("NAME             STATUS           AUXILIARY STATE\nmig1             running          migrating-out\n", source.ListStatus("mig1"));
            imported.CompleteMigrationIn();
        }

        mig1.Halt();
        mig1.Detach();

        Assert.Equal("NAME             STATUS           AUXILIARY STATE\nmig1             configured\n", source.ListStatus("mig1"));
        Assert.Equal("NAME             STATUS           AUXILIARY STATE\nmig1             running\n", destination.ListStatus("mig1"));
        Assert.Equal(mig1.Configuration, destination.Get("mig1").Configuration);
    }

    [Fact]
    public void Rollback_paths_restore_the_source_and_discard_the_destination_copy()
    {
        var source = new ZoneHost();
        var destination = new ZoneHost();
        Zone zone = source.Configure(ZoneTransitionTests.SuspendableZone("kz"));
        zone.Install();
        zone.Boot();
        zone.BeginMigrationOut();
        Zone imported = destination.Configure(zone.Configuration);
        imported.Attach();
        imported.BootMigratingIn();

        imported.Halt();
        imported.Detach();
        destination.Delete("kz");
        zone.EndMigrationOut();

        Assert.Null(destination.Find("kz"));
        Assert.True(imported.IsDeleted);
        Assert.Throws<ZoneStateException>(imported.Attach);
        Assert.Equal(new ZoneStatus(ZoneState.Running, ZoneAuxiliaryState.None, zone.Status.Id), zone.Status);
        Assert.Same(destination.Configure(zone.Configuration), destination.Get("kz"));
    }

    [Fact]
    public void Listings_match_the_reference_formats()
    {
        var host = new ZoneHost();
        Zone kzone = host.Configure(ZoneTransitionTests.SuspendableZone("kzone"));
        Zone idle = host.Configure(ZoneTransitionTests.SuspendableZone("kzone2"));
        kzone.Install();
        kzone.Boot();
        idle.Install();
        idle.Boot();
        idle.Suspend();

        Assert.Equal(
            "  ID NAME             STATUS      PATH      BRAND            IP\n"
            + "   0 global           running     /         solaris          shared\n"
            + "   1 kzone            running     -         solaris-kz       excl\n"
            + "   - kzone2           installed   -         solaris-kz       excl\n",
            host.ListVerbose());
        Assert.Equal(
            "  ID NAME             STATUS      PATH      BRAND            IP\n"
            + "   0 global           running     /         solaris          shared\n"
            + "   1 kzone            running     -         solaris-kz       excl\n",
            host.ListVerbose(includeAll: false));
        Assert.Equal(
            "NAME             STATUS           AUXILIARY STATE\n"
            + "global           running\n"
            + "kzone            running\n"
            + "kzone2           installed        suspended\n",
            host.ListStatus());
        Assert.Equal(
            "0:global:running:/::solaris:shared:-::\n"
            + $"1:kzone:running:/system/volatile/zones/kzone/zonepath:{kzone.Uuid}:solaris-kz:excl:R:solaris-kz:\n"
            + $"-:kzone2:installed:/system/volatile/zones/kzone2/zonepath:{idle.Uuid}:solaris-kz:excl:R:solaris-kz:\n",
            host.ListParseable());
        Assert.Throws<ZoneStateException>(() => host.ListStatus("nope"));
    }

    [Fact]
    public void Names_are_taken_once_reservations_block_and_release()
    {
        var host = new ZoneHost();
        host.Configure(ZoneTransitionTests.SuspendableZone("a"));
        Assert.Equal("zone 'a': zone already exists.", Assert.Throws<ZoneStateException>(() => host.Configure(ZoneTransitionTests.SuspendableZone("a"))).Message);

        ZoneNameReservation reservation = host.Reserve("b");
        Assert.Null(host.Find("b"));
        Assert.False(host.TryReserve("b", out _));
        Assert.Throws<ZoneStateException>(() => host.Configure(ZoneTransitionTests.SuspendableZone("b")));
        Assert.Throws<ArgumentException>(() => reservation.Configure(ZoneTransitionTests.SuspendableZone("c")));
        reservation.Dispose();
        Assert.True(host.TryReserve("b", out ZoneNameReservation? again));
        Zone b = again.Configure(ZoneTransitionTests.SuspendableZone("b"));
        again.Dispose();
        Assert.Same(b, host.Find("b"));
        Assert.Throws<InvalidOperationException>(() => again.Configure(ZoneTransitionTests.SuspendableZone("b")));
        Assert.Throws<ZoneConfigurationException>(() => host.Reserve("global"));
    }

    [Fact]
    public async Task Concurrent_imports_of_one_name_let_exactly_one_win()
    {
        var host = new ZoneHost();
        using var start = new Barrier(8);
        Task<bool>[] racers = [.. Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            if (!host.TryReserve("kz", out ZoneNameReservation? reservation))
            {
                return false;
            }

            using (reservation)
            {
                Zone zone = reservation.Configure(ZoneTransitionTests.SuspendableZone("kz"));
                zone.Attach();
                zone.BootMigratingIn();
            }

            return true;
        }, TestContext.Current.CancellationToken))];

        bool[] won = await Task.WhenAll(racers).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Single(won, w => w);
        Assert.Equal(ZoneAuxiliaryState.MigratingIn, host.Get("kz").AuxiliaryState);
    }

    [Fact]
    public async Task Concurrent_transitions_on_one_zone_stay_consistent()
    {
        var host = new ZoneHost();
        Zone zone = host.Configure(ZoneTransitionTests.SuspendableZone("kz"));
        zone.Install();
        long events = 0;
        zone.StateChanged += (_, _) => Interlocked.Increment(ref events);
        int successes = 0;
        Task[] workers = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                try
                {
                    if (zone.State == ZoneState.Installed)
                    {
                        zone.Boot();
                    }
                    else
                    {
                        zone.Halt();
                    }

                    Interlocked.Increment(ref successes);
                }
                catch (ZoneStateException)
                {
                }
            }
        }, TestContext.Current.CancellationToken))];

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(successes, Interlocked.Read(ref events));
        Assert.Equal(zone.State == ZoneState.Running, zone.Status.Id is not null);
    }

    [Fact]
    public void Status_spells_states_as_zoneadm_does()
    {
        Assert.Equal("shutting_down", new ZoneStatus(ZoneState.ShuttingDown, ZoneAuxiliaryState.None, 3).StateName);
        var migrating = new ZoneStatus(ZoneState.Running, ZoneAuxiliaryState.MigratingIn | ZoneAuxiliaryState.Suspended, 4);
        Assert.Equal("running", migrating.StateName);
        Assert.Equal("running (migrating-in,suspended)", migrating.ToString());
    }
}
