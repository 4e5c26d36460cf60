using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Simulation;

namespace KernelZones.Migration.Tests.Engine;

public sealed class MigrationFailureTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_compatibility_failure_leaves_the_source_running_and_the_destination_clean()
    {
        await using var fixture = new MigrationFixture(16L << 20, o => new MigrationDestinationOptions
        {
            Control = o.Control, DataEndPoint = o.DataEndPoint, CreateGuest = o.CreateGuest, Capabilities = new DestinationCapabilities { FreeMemoryBytes = 1L << 40, CpuArchClasses = ["generic"] },
        }, cpuArch: "migration-class1");
        fixture.Guest.FillRandom(0, 1 << 20, seed: 9);
        var before = PageDigest.Compute(fixture.Guest.Memory);

        var error = await Assert.ThrowsAsync<MigrationException>(() => fixture.MigrateAsync().WaitAsync(s_timeout));

        Assert.Equal(MigrationFailureKind.Compatibility, error.Kind);
        Assert.Contains("configuration check failed:", error.Message, StringComparison.Ordinal);
        Assert.Contains("error:", error.Message, StringComparison.Ordinal);
        Assert.Equal(ZoneState.Running, fixture.Zone.State);
        Assert.Equal(ZoneAuxiliaryState.None, fixture.Zone.AuxiliaryState);
        Assert.Equal(before, PageDigest.Compute(fixture.Guest.Memory));
        await LiveMigrationTests.AssertDestinationCleanAsync(fixture);
    }

    [Fact]
    public async Task A_migration_that_cannot_converge_is_cancelled_by_default_and_forced_on_request()
    {
        await using var fixture = new MigrationFixture(64L << 20);
        fixture.Guest.FillRandom(0, 32L << 20, seed: 4);
        var restless = new RestlessGuest(fixture.Guest, quietBelow: 0); // never stops dirtying while it runs
        var impossible = new MigrationOptions { DowntimeTarget = TimeSpan.FromTicks(1), MaxRounds = 3 };

        var error = await Assert.ThrowsAsync<MigrationException>(() => fixture.Source.MigrateAsync("mig1", restless, fixture.Address, fixture.Credential, impossible).WaitAsync(s_timeout));

        Assert.Contains("did not converge", error.Message, StringComparison.Ordinal);
        Assert.Equal(ZoneState.Running, fixture.Zone.State);
        Assert.False(fixture.Guest.Cpus.IsSuspended);
        await LiveMigrationTests.AssertDestinationCleanAsync(fixture);

        var forced = await fixture.Source.MigrateAsync("mig1", restless, fixture.Address, fixture.Credential, new MigrationOptions { DowntimeTarget = TimeSpan.FromTicks(1), MaxRounds = 3, OnLimit = LimitPolicy.ForceSwitchover }).WaitAsync(s_timeout);
        Assert.Equal(MigrationOutcome.Succeeded, forced.Outcome);
        Assert.StartsWith("switchover forced", forced.LimitAction, StringComparison.Ordinal);
        LiveMigrationTests.AssertMigrated(fixture);
    }

    [Fact]
    public async Task Cancelling_mid_transfer_resumes_nothing_it_did_not_suspend_and_cleans_the_destination()
    {
        await using var fixture = new MigrationFixture(256L << 20);
        fixture.Guest.FillRandom(0, 256L << 20, seed: 5);
        var before = PageDigest.Compute(fixture.Guest.Memory);
        using var cancel = new CancellationTokenSource();
        var progress = fixture.MigrateAsync(new MigrationOptions(), cancel.Token);
        while (!fixture.Messages.Any(m => m.EndsWith("Starting migration.", StringComparison.Ordinal)) && !progress.IsCompleted)
        {
            await Task.Delay(1);
        }

        cancel.Cancel();

        var error = await Assert.ThrowsAnyAsync<MigrationException>(() => progress.WaitAsync(s_timeout));
        Assert.Equal(ZoneState.Running, fixture.Zone.State);
        Assert.Equal(ZoneAuxiliaryState.None, fixture.Zone.AuxiliaryState);
        Assert.False(fixture.Guest.Cpus.IsSuspended);
        Assert.Equal(before, PageDigest.Compute(fixture.Guest.Memory));
        await LiveMigrationTests.AssertDestinationCleanAsync(fixture);
        Assert.NotNull(error.Message);
    }

    [Fact]
    public async Task None_to_a_destination_that_does_not_allow_it_is_refused_before_anything_is_created_there()
    {
        int guestsCreated = 0;
        await using var fixture = new MigrationFixture(16L << 20, o => new MigrationDestinationOptions
        {
            Control = o.Control with { Offer = new HostOffer { HostName = "strict", AllowNone = false } },
            DataEndPoint = o.DataEndPoint,
            Capabilities = o.Capabilities,
            CreateGuest = configuration =>
            {
                Interlocked.Increment(ref guestsCreated);
                return new InMemoryGuest(configuration.PhysicalMemory!.Value.Bytes);
            },
        });

        CipherList ciphers = await fixture.Source.ListCiphersAsync(fixture.Address, fixture.Credential).WaitAsync(s_timeout);
        var error = await Assert.ThrowsAsync<MigrationException>(() => fixture.MigrateAsync(new MigrationOptions { Cipher = "none" }).WaitAsync(s_timeout));

        Assert.DoesNotContain("none", ciphers.Destination);
        Assert.Contains("none", ciphers.Source);
        Assert.Equal(MigrationFailureKind.Cipher, error.Kind);
        Assert.Contains("not allowed by the destination (strict)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Messages, m => m.Contains("Importing zone configuration", StringComparison.Ordinal));
        await fixture.Destination.WhenConnectionsEndedAsync().WaitAsync(s_timeout);
        Assert.Equal(0, Volatile.Read(ref guestsCreated));
        Assert.Null(fixture.DestinationHost.Find("mig1"));
        Assert.Equal(ZoneState.Running, fixture.Zone.State);
        Assert.Equal(ZoneAuxiliaryState.None, fixture.Zone.AuxiliaryState);
    }
}
