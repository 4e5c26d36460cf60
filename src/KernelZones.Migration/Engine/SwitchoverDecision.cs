namespace KernelZones.Migration.Engine;

/// <summary>
/// Decides after each pre-copy round whether to run another, switch over, or hand a limit to the policy:
/// switch over as soon as the dirty set can be sent within the downtime target at the rate the last round
/// measured (docs/design.md, "Data plane").
/// </summary>
/// <remarks>
/// Round 0 alone never decides a switchover unless it left nothing dirty: its rate is that of a full pass in
/// maximum-size records, which overstates the rate of the scattered pages a guest dirties (measured: a 2 GiB guest
/// dirtying 64 MiB/s over 256 MiB expected 281 ms after round 0 and took 358 ms to send its dirty set). One round of
/// dirty pages measures the rate the final round will see, at the cost of that round.
/// </remarks>
internal static class SwitchoverDecision
{
    public enum Verdict
    {
        Continue,
        Switchover,
        LimitReached,
    }

    public static (Verdict Verdict, TimeSpan ExpectedDowntime, string? Limit) Decide(MigrationOptions options, PrecopyRound last, int pageSize, long totalWireBytes, long memoryBytes, TimeSpan elapsed)
    {
        double rate = Math.Max(1, last.BytesPerSecond);
        var expected = TimeSpan.FromSeconds(last.DirtyPages * (double)pageSize / rate);
        if (expected <= options.DowntimeTarget && (last.Round > 0 || last.DirtyPages == 0))
        {
            return (Verdict.Switchover, expected, null);
        }

        string? limit = null;
        if (last.Round + 1 >= options.MaxRounds)
        {
            limit = $"{options.MaxRounds} pre-copy rounds";
        }
        else if (totalWireBytes >= options.MaxBytesFactor * memoryBytes)
        {
            limit = $"{options.MaxBytesFactor:0.#}x the zone's memory sent";
        }
        else if (elapsed >= options.MaxDuration)
        {
            limit = $"{options.MaxDuration.TotalSeconds:0} s of pre-copy";
        }

        return limit is null ? (Verdict.Continue, expected, null) : (Verdict.LimitReached, expected, limit);
    }
}
