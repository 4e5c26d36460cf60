using System.Collections.Concurrent;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;

namespace KernelZones.Migration.Tests.Engine;

/// <summary>
/// A zone that the source gives up must already be durable on the destination: the destination saves it through its
/// <see cref="IZoneStore"/> before it reports ready to commit, a failed save refuses the commit, and a migration that
/// is not committed takes its save back.
/// </summary>
public sealed class DurabilityTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_store_that_fails_refuses_the_commit_and_the_zone_keeps_running_on_the_source()
    {
        var store = new RecordingStore { Failure = new IOException("No space left on device") };
        await using var fixture = new MigrationFixture(16L << 20, o => WithStore(o, store));
        fixture.Guest.FillRandom(0, 8L << 20, seed: 3);
        var before = PageDigest.Compute(fixture.Guest.Memory);

        var error = await Assert.ThrowsAsync<MigrationException>(() => fixture.MigrateAsync().WaitAsync(s_timeout));

        Assert.Equal(MigrationFailureKind.Persistence, error.Kind);
        Assert.Contains("cannot make the zone durable (No space left on device)", error.Message, StringComparison.Ordinal);
        Assert.Equal(ZoneState.Running, fixture.Zone.State);
        Assert.Equal(ZoneAuxiliaryState.None, fixture.Zone.AuxiliaryState);
        Assert.False(fixture.Guest.Cpus.IsSuspended);
        Assert.Equal(before, PageDigest.Compute(fixture.Guest.Memory));
        Assert.DoesNotContain(fixture.Messages, m => m.Contains("Migration successful", StringComparison.Ordinal));
        await LiveMigrationTests.AssertDestinationCleanAsync(fixture);
        Assert.Empty(store.Records);
        Assert.Equal(1, store.Deletions);
    }

    [Fact]
    public async Task The_source_gives_the_zone_up_only_after_the_destination_has_saved_it()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new RecordingStore { Gate = gate.Task };
        await using var fixture = new MigrationFixture(16L << 20, o => WithStore(o, store));
        fixture.Guest.FillRandom(0, 8L << 20, seed: 4);

        Task<MigrationResult> migration = fixture.MigrateAsync();
        await store.SaveStarted.Task.WaitAsync(s_timeout);

        // The destination cannot answer the switchover while its save is pending: the source still holds the zone.
        Assert.False(migration.IsCompleted);
        Assert.Equal(ZoneState.Running, fixture.Zone.State);
        Assert.True(fixture.Zone.AuxiliaryState.HasFlag(ZoneAuxiliaryState.MigratingOut));
        Assert.Empty(store.Records);

        gate.SetResult();
        MigrationResult result = await migration.WaitAsync(s_timeout);

        Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
        Assert.Equal(fixture.Zone.Configuration, store.Records["mig1"]);
        Assert.Equal(ZoneState.Running, fixture.DestinationHost.Get("mig1").State);
    }

    [Fact]
    public async Task A_migration_abandoned_after_its_save_began_takes_the_record_back()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new RecordingStore { Gate = gate.Task };
        await using var fixture = new MigrationFixture(16L << 20, o => WithStore(o, store));
        using var cancel = new CancellationTokenSource();

        Task<MigrationResult> migration = fixture.MigrateAsync(cancellationToken: cancel.Token);
        await store.SaveStarted.Task.WaitAsync(s_timeout);
        await cancel.CancelAsync();
        var error = await Assert.ThrowsAsync<MigrationException>(() => migration.WaitAsync(s_timeout));
        gate.SetResult(); // the save completes after the abort: the undo must still come after it

        Assert.True(error.Kind == MigrationFailureKind.Aborted, error.ToString());
        Assert.Equal(ZoneState.Running, fixture.Zone.State);
        await fixture.Destination.WhenConnectionsEndedAsync().WaitAsync(s_timeout);
        Assert.Null(fixture.DestinationHost.Find("mig1"));
        Assert.Empty(store.Records);
        Assert.Equal(1, store.Deletions);
    }

    [Fact]
    public async Task An_abandoned_migration_over_an_existing_configuration_saves_the_earlier_one_again()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new RecordingStore { Gate = gate.Task };
        await using var fixture = new MigrationFixture(16L << 20, o => WithStore(o, store));
        ZoneConfiguration earlier = Hostile.TestHost.KernelZone("mig1", 16L << 20, cpus: 2); // the source's has 4 vCPUs
        fixture.DestinationHost.Configure(earlier);
        store.Records["mig1"] = earlier;
        using var cancel = new CancellationTokenSource();

        Task<MigrationResult> migration = fixture.MigrateAsync(cancellationToken: cancel.Token);
        await store.SaveStarted.Task.WaitAsync(s_timeout);
        await cancel.CancelAsync();
        await Assert.ThrowsAsync<MigrationException>(() => migration.WaitAsync(s_timeout));
        gate.SetResult();
        await fixture.Destination.WhenConnectionsEndedAsync().WaitAsync(s_timeout);

        Assert.NotEqual(fixture.Zone.Configuration, earlier);
        Assert.Equal(earlier, fixture.DestinationHost.Get("mig1").Configuration);
        Assert.Equal(earlier, store.Records["mig1"]);
        Assert.Equal(0, store.Deletions);
    }

    private static MigrationDestinationOptions WithStore(MigrationDestinationOptions options, IZoneStore store) => new()
    {
        Control = options.Control,
        DataEndPoint = options.DataEndPoint,
        CreateGuest = options.CreateGuest,
        Capabilities = options.Capabilities,
        ZoneStore = store,
    };

    /// <summary>A store in memory that can be made to fail or to wait.</summary>
    private sealed class RecordingStore : IZoneStore
    {
        private int _deletions;

        public ConcurrentDictionary<string, ZoneConfiguration> Records { get; } = new(StringComparer.Ordinal);

        public TaskCompletionSource SaveStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Gate { get; init; } = Task.CompletedTask;

        public Exception? Failure { get; init; }

        public int Deletions => Volatile.Read(ref _deletions);

        public async Task SaveAsync(ZoneConfiguration configuration, CancellationToken cancellationToken)
        {
            SaveStarted.TrySetResult();
            await Gate;
            if (Failure is not null)
            {
                throw Failure;
            }

            Records[configuration.ZoneName] = configuration;
        }

        public Task DeleteAsync(string zoneName, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _deletions);
            Records.TryRemove(zoneName, out _);
            return Task.CompletedTask;
        }
    }
}
