using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;

namespace KernelZones.Migration.Tests.Engine;

public sealed class MigrationThrottleTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A guest that dirties a page before every collection, as long as it runs at more than a quarter of its speed:
    /// it dirties faster than any link, whatever the machine's load. With a 1-tick downtime target, which only an
    /// empty dirty set meets, the migration can converge only if the engine throttles the guest through its hook;
    /// the hook forwards to the guest's real throttle.
    /// </summary>
    [Fact]
    public async Task At_the_round_limit_the_throttle_policy_slows_the_guest_through_its_hook_and_converges()
    {
        await using var fixture = new MigrationFixture(64L << 20);
        fixture.Guest.FillRandom(0, 32L << 20, seed: 6);
        var probe = new RestlessGuest(fixture.Guest, quietBelow: 0.3);
        var options = new MigrationOptions { DowntimeTarget = TimeSpan.FromTicks(1), MaxRounds = 2, OnLimit = LimitPolicy.Throttle };

        var result = await fixture.Source.MigrateAsync("mig1", probe, fixture.Address, fixture.Credential, options).WaitAsync(s_timeout);

        Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
        Assert.Equal([0.5, 0.25], probe.Fractions);
        Assert.Equal(0.25, fixture.Guest.Throttle.RunFraction);
        Assert.Equal("guest throttled to 25% after 2 pre-copy rounds", result.LimitAction);
        Assert.True(result.Rounds.Count > options.MaxRounds, "pre-copy went on past the round limit");
        LiveMigrationTests.AssertMigrated(fixture);
    }

    [Fact]
    public async Task A_guest_that_cannot_be_slowed_enough_is_cancelled_at_the_throttle_floor()
    {
        await using var fixture = new MigrationFixture(16L << 20);
        var probe = new RestlessGuest(fixture.Guest, quietBelow: 0);
        var options = new MigrationOptions { DowntimeTarget = TimeSpan.FromTicks(1), MaxRounds = 2, OnLimit = LimitPolicy.Throttle };

        var error = await Assert.ThrowsAsync<MigrationException>(() => fixture.Source.MigrateAsync("mig1", probe, fixture.Address, fixture.Credential, options).WaitAsync(s_timeout));

        Assert.Contains("did not converge", error.Message, StringComparison.Ordinal);
        Assert.Equal([0.5, 0.25, 0.125, 0.0625, 0.05], probe.Fractions);
        Assert.False(fixture.Guest.Cpus.IsSuspended);
        await LiveMigrationTests.AssertDestinationCleanAsync(fixture);
    }
}
