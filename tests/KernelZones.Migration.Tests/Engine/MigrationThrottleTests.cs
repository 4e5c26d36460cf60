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
        fixture.Guest.Memory.FillRandom(0, 32L << 20, seed: 6);
        var probe = new ThrottleProbe(fixture.Guest, quietBelow: 0.3);
        var options = new MigrationOptions { DowntimeTarget = TimeSpan.FromTicks(1), MaxRounds = 2, OnLimit = LimitPolicy.Throttle };

        var result = await fixture.Source.MigrateAsync("mig1", probe, fixture.Address, fixture.Credential, options).WaitAsync(s_timeout);

        Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
        Assert.Equal([0.5, 0.25], probe.Fractions);
        Assert.Equal(0.25, fixture.Guest.Cpus.RunFraction);
        Assert.Equal("guest throttled to 25% after 2 pre-copy rounds", result.LimitAction);
        Assert.True(result.Rounds.Count > options.MaxRounds, "pre-copy went on past the round limit");
        LiveMigrationTests.AssertMigrated(fixture);
    }

    [Fact]
    public async Task A_guest_that_cannot_be_slowed_enough_is_cancelled_at_the_throttle_floor()
    {
        await using var fixture = new MigrationFixture(16L << 20);
        var probe = new ThrottleProbe(fixture.Guest, quietBelow: 0);
        var options = new MigrationOptions { DowntimeTarget = TimeSpan.FromTicks(1), MaxRounds = 2, OnLimit = LimitPolicy.Throttle };

        var error = await Assert.ThrowsAsync<MigrationException>(() => fixture.Source.MigrateAsync("mig1", probe, fixture.Address, fixture.Credential, options).WaitAsync(s_timeout));

        Assert.Contains("did not converge", error.Message, StringComparison.Ordinal);
        Assert.Equal([0.5, 0.25, 0.125, 0.0625, 0.05], probe.Fractions);
        Assert.False(fixture.Guest.Cpus.IsSuspended);
        await LiveMigrationTests.AssertDestinationCleanAsync(fixture);
    }

    /// <summary>The in-memory guest with a throttle that records the engine's calls, and memory that is dirtied at every collection while the guest runs fast.</summary>
    private sealed class ThrottleProbe(InMemoryGuest guest, double quietBelow) : IGuest, IGuestThrottle, IGuestMemory
    {
        private static readonly byte[] s_write = [1, 2, 3, 4];
        private long _writes;

        public List<double> Fractions { get; } = [];

        public IGuestMemory Memory => this;

        public IVirtualCpus Cpus => guest.Cpus;

        public IDeviceState Devices => guest.Devices;

        public IGuestThrottle Throttle => this;

        public double RunFraction => guest.Cpus.RunFraction;

        public long Size => guest.Memory.Size;

        public int PageSize => guest.Memory.PageSize;

        public long PageCount => guest.Memory.PageCount;

        public bool IsDirtyTracking => guest.Memory.IsDirtyTracking;

        public void SetRunFraction(double fraction)
        {
            Fractions.Add(fraction);
            guest.Cpus.SetRunFraction(fraction);
        }

        public long CollectDirtyPages(DirtyPageBitmap destination)
        {
            if (RunFraction >= quietBelow && !guest.Cpus.IsSuspended)
            {
                long page = _writes++ % PageCount;
                guest.Memory.Write(page * PageSize, s_write);
            }

            return guest.Memory.CollectDirtyPages(destination);
        }

        public ReadOnlySpan<byte> GetPages(long firstPage, int pageCount) => guest.Memory.GetPages(firstPage, pageCount);

        public Span<byte> GetWritablePages(long firstPage, int pageCount) => guest.Memory.GetWritablePages(firstPage, pageCount);

        public void StartDirtyTracking() => guest.Memory.StartDirtyTracking();

        public void StopDirtyTracking() => guest.Memory.StopDirtyTracking();
    }
}
