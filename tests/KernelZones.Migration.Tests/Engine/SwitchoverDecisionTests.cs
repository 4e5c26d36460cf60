using KernelZones.Migration.Engine;

namespace KernelZones.Migration.Tests.Engine;

public sealed class SwitchoverDecisionTests
{
    private const int PageSize = 4096;
    private static readonly MigrationOptions s_defaults = new();

    // 100 MB in one second: 100 dirty pages are expected to take about 4 ms, far inside the 300 ms target.
    private static PrecopyRound Round(int round, long dirtyPages) => new(round, 24_414, 0, 100_000_000, TimeSpan.FromSeconds(1), dirtyPages, Final: false);

    [Fact]
    public void A_dirty_round_0_never_decides_the_switchover_because_its_rate_is_that_of_a_full_pass()
    {
        var (verdict, expected, _) = SwitchoverDecision.Decide(s_defaults, Round(0, 100), PageSize, 100_000_000, 1L << 30, TimeSpan.FromSeconds(1));

        Assert.Equal(SwitchoverDecision.Verdict.Continue, verdict);
        Assert.True(expected < s_defaults.DowntimeTarget);
    }

    [Fact]
    public void A_clean_round_0_switches_over_at_once()
    {
        var (verdict, _, _) = SwitchoverDecision.Decide(s_defaults, Round(0, 0), PageSize, 100_000_000, 1L << 30, TimeSpan.FromSeconds(1));

        Assert.Equal(SwitchoverDecision.Verdict.Switchover, verdict);
    }

    [Fact]
    public void A_later_round_switches_over_when_its_dirty_set_fits_the_target_and_not_before()
    {
        Assert.Equal(SwitchoverDecision.Verdict.Switchover, SwitchoverDecision.Decide(s_defaults, Round(1, 100), PageSize, 100_000_000, 1L << 30, TimeSpan.FromSeconds(1)).Verdict);

        // 10,000 pages at 100 MB/s: about 410 ms, over the 300 ms target.
        Assert.Equal(SwitchoverDecision.Verdict.Continue, SwitchoverDecision.Decide(s_defaults, Round(1, 10_000), PageSize, 100_000_000, 1L << 30, TimeSpan.FromSeconds(1)).Verdict);
    }

    [Fact]
    public void A_round_that_fits_the_target_but_left_at_most_half_as_many_pages_dirty_as_it_sent_runs_another()
    {
        // 24,414 pages sent, 5,000 dirtied meanwhile: about 205 ms expected, within 300 ms but above a tenth of it,
        // and the next round would leave about a fifth of that.
        Assert.Equal(SwitchoverDecision.Verdict.Continue, SwitchoverDecision.Decide(s_defaults, Round(1, 5_000), PageSize, 100_000_000, 1L << 30, TimeSpan.FromSeconds(1)).Verdict);

        // The same round not converging (more dirtied than half of what it sent) switches over.
        var slow = new PrecopyRound(1, 8_000, 0, 100_000_000, TimeSpan.FromSeconds(1), 5_000, Final: false);
        Assert.Equal(SwitchoverDecision.Verdict.Switchover, SwitchoverDecision.Decide(s_defaults, slow, PageSize, 100_000_000, 1L << 30, TimeSpan.FromSeconds(1)).Verdict);

        // Converging, but at the round limit: it switches over rather than hand the limit to the policy.
        Assert.Equal(SwitchoverDecision.Verdict.Switchover, SwitchoverDecision.Decide(new MigrationOptions { MaxRounds = 2 }, Round(1, 5_000), PageSize, 100_000_000, 1L << 30, TimeSpan.FromSeconds(1)).Verdict);
    }

    [Fact]
    public void A_dirty_round_0_at_the_round_limit_goes_to_the_policy()
    {
        var options = new MigrationOptions { MaxRounds = 1 };

        var (verdict, _, limit) = SwitchoverDecision.Decide(options, Round(0, 100), PageSize, 100_000_000, 1L << 30, TimeSpan.FromSeconds(1));

        Assert.Equal(SwitchoverDecision.Verdict.LimitReached, verdict);
        Assert.Equal("1 pre-copy rounds", limit);
    }
}
