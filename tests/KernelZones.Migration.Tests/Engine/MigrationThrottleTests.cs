using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;

namespace KernelZones.Migration.Tests.Engine;

public sealed class MigrationThrottleTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A 1-tick downtime target converges only on a round that leaves no dirty page, which a guest writing all the
    /// time never does: without the hook this migration can only hit the round limit. The probe forwards every call
    /// to the guest's real throttle and, once the guest is throttled to a quarter, stops the workload, as a guest
    /// slowed to a crawl would; so the migration converges exactly when the engine calls the hook.
    /// </summary>
    [Fact]
    public async Task At_the_round_limit_the_throttle_policy_slows_the_guest_through_its_hook_and_converges()
    {
        await using var fixture = new MigrationFixture(64L << 20);
        fixture.Guest.Memory.FillRandom(0, 32L << 20, seed: 6);
        using var workload = new GuestWorkload(fixture.Guest, new GuestWorkloadOptions { DirtyMiBPerSecond = 128, WorkingSetBytes = 16L << 20, BytesPerWrite = 4096 });
        var probe = new ThrottleProbe(fixture.Guest, stopBelow: 0.3, workload);
        workload.Start();
        var options = new MigrationOptions { DowntimeTarget = TimeSpan.FromTicks(1), MaxRounds = 2, OnLimit = LimitPolicy.Throttle };

        var result = await fixture.Source.MigrateAsync("mig1", probe, fixture.Address, fixture.Credential, options).WaitAsync(s_timeout);

        Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
        Assert.NotEmpty(probe.Fractions);
        Assert.Equal(probe.Fractions.Order().Reverse(), probe.Fractions);
        Assert.All(probe.Fractions, f => Assert.InRange(f, 0.05, 0.5));
        Assert.Equal(probe.Fractions[^1], fixture.Guest.Cpus.RunFraction);
        Assert.StartsWith("guest throttled to", result.LimitAction, StringComparison.Ordinal);
        Assert.True(result.Rounds.Count > options.MaxRounds, "pre-copy went on past the round limit");
        LiveMigrationTests.AssertMigrated(fixture);
    }

    /// <summary>The in-memory guest with a throttle that records the engine's calls.</summary>
    private sealed class ThrottleProbe(InMemoryGuest guest, double stopBelow, GuestWorkload workload) : IGuest, IGuestThrottle
    {
        public List<double> Fractions { get; } = [];

        public IGuestMemory Memory => guest.Memory;

        public IVirtualCpus Cpus => guest.Cpus;

        public IDeviceState Devices => guest.Devices;

        public IGuestThrottle Throttle => this;

        public double RunFraction => guest.Cpus.RunFraction;

        public void SetRunFraction(double fraction)
        {
            lock (Fractions)
            {
                Fractions.Add(fraction);
            }

            guest.Cpus.SetRunFraction(fraction);
            if (fraction < stopBelow)
            {
                workload.Stop();
            }
        }
    }
}
