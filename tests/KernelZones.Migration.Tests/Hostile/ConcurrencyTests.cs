using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Simulation;
using KernelZones.Migration.Tests.Engine;

// Every await here is bounded by WaitAsync; the test token adds nothing.
#pragma warning disable xUnit1051

namespace KernelZones.Migration.Tests.Hostile;

/// <summary>Migrations that overlap: several zones into one host, one zone twice, a zone halted under its migration, a host to itself.</summary>
public sealed class ConcurrencyTests : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(90);
    private readonly string _knownHosts = Path.GetTempFileName();

    [Fact]
    public async Task Three_zones_migrate_into_one_destination_at_once()
    {
        await using var source = new TestHost("kz-src", _knownHosts);
        await using var destination = new TestHost("kz-dst", _knownHosts);
        string[] zones = ["web1", "web2", "db1"];
        for (int i = 0; i < zones.Length; i++)
        {
            source.AddZone(zones[i], 32L << 20).FillRandom(0, 24L << 20, seed: 20 + i);
        }

        MigrationResult[] results = await Task.WhenAll(zones.Select(z => source.MigrateAsync(z, destination))).WaitAsync(s_wait);

        Assert.All(results, r => Assert.Equal(MigrationOutcome.Succeeded, r.Outcome));
        foreach (string zone in zones)
        {
            InMemoryGuest before = source.Guest(zone);
            InMemoryGuest after = source.HandOver(zone, destination);
            Assert.Equal(PageDigest.Compute(before.Memory), PageDigest.Compute(after.Memory));
            Assert.Equal(ZoneState.Running, destination.Zones.Get(zone).State);
            Assert.Equal(ZoneState.Configured, source.Zones.Get(zone).State);
        }

        Assert.Equal(3, results.Select(r => r.MigrationId).Distinct().Count());
    }

    [Fact]
    public async Task The_same_zone_migrated_twice_at_once_refuses_the_second_and_completes_the_first()
    {
        await using var source = new TestHost("kz-src", _knownHosts);
        await using var destination = new TestHost("kz-dst", _knownHosts);
        source.AddZone("web1", 64L << 20).FillRandom(0, 48L << 20, seed: 30);

        Task<MigrationResult> first = source.MigrateAsync("web1", destination);
        Task<MigrationResult> second = source.MigrateAsync("web1", destination);

        var refusal = await Assert.ThrowsAsync<MigrationException>(() => second.WaitAsync(s_wait));
        Assert.Contains("already migrating", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(MigrationOutcome.Succeeded, (await first.WaitAsync(s_wait)).Outcome);
        InMemoryGuest before = source.Guest("web1");
        Assert.Equal(PageDigest.Compute(before.Memory), PageDigest.Compute(source.HandOver("web1", destination).Memory));
        Assert.Equal(ZoneState.Running, destination.Zones.Get("web1").State);
        Assert.Equal(ZoneState.Configured, source.Zones.Get("web1").State);
    }

    [Fact]
    public async Task A_zone_halted_on_the_source_during_its_migration_aborts_it_and_the_destination_discards()
    {
        await using var source = new TestHost("kz-src", _knownHosts);
        await using var destination = new TestHost("kz-dst", _knownHosts);
        InMemoryGuest guest = source.AddZone("web1", 64L << 20);
        guest.FillRandom(0, 32L << 20, seed: 31);
        var roundDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A target it cannot meet keeps pre-copy going until the halt arrives, with a guest that has a page to send in
        // every round: a workload thread starved for a round would leave nothing dirty, and the engine switch over.
        var options = new MigrationOptions
        {
            DowntimeTarget = TimeSpan.FromTicks(1), MaxRounds = 100_000, MaxBytesFactor = 1e6, MaxDuration = TimeSpan.FromMinutes(5),
            Progress = new Progress(p => { if (p.Round is not null) { roundDone.TrySetResult(); } }),
        };
        Task<MigrationResult> migration = source.Source.MigrateAsync("web1", new RestlessGuest(guest, quietBelow: 0), destination.Address, TestHost.Credential, options);
        await roundDone.Task.WaitAsync(s_wait);

        source.Zones.Get("web1").Halt();

        var error = await Assert.ThrowsAsync<MigrationException>(() => migration.WaitAsync(s_wait));
        Assert.Equal(MigrationFailureKind.Aborted, error.Kind);
        Assert.Contains("installed on the source", error.Message, StringComparison.Ordinal);
        Assert.Equal(new ZoneStatus(ZoneState.Installed, ZoneAuxiliaryState.None, null), source.Zones.Get("web1").Status);
        Assert.False(guest.Memory.IsDirtyTracking);
        await AssertCleanAsync(destination, "web1");
    }

    [Fact]
    public async Task A_migration_to_its_own_host_is_refused_and_the_zone_keeps_running()
    {
        await using var host = new TestHost("kz-self", _knownHosts);
        InMemoryGuest guest = host.AddZone("web1", 16L << 20);
        guest.FillRandom(0, 8L << 20, seed: 32);
        UInt128 before = PageDigest.Compute(guest.Memory);

        var error = await Assert.ThrowsAsync<MigrationException>(() => host.MigrateAsync("web1", host).WaitAsync(s_wait));

        Assert.Equal(MigrationFailureKind.Compatibility, error.Kind);
        Assert.Contains("cannot be migrated to the host it runs on", error.Message, StringComparison.Ordinal);
        Assert.Equal(new ZoneStatus(ZoneState.Running, ZoneAuxiliaryState.None, host.Zones.Get("web1").Status.Id), host.Zones.Get("web1").Status);
        Assert.False(guest.Cpus.IsSuspended);
        Assert.Equal(before, PageDigest.Compute(guest.Memory));
        Assert.Null(host.Destination.FindGuest("web1"));
    }

    public void Dispose() => File.Delete(_knownHosts);

    internal static async Task AssertCleanAsync(TestHost destination, string zoneName)
    {
        // The destination discards once the source has gone; wait for its handler, bounded.
        for (int i = 0; i < 400 && destination.Zones.Find(zoneName) is not null; i++)
        {
            await Task.Delay(25);
        }

        Assert.Null(destination.Zones.Find(zoneName));
        Assert.Null(destination.Destination.FindGuest(zoneName));
    }

    private sealed class Progress(Action<MigrationProgress> report) : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value) => report(value);
    }
}
