namespace KernelZones.Migration.Engine;

/// <summary>
/// Decides after each pre-copy round whether to run another, switch over, or hand a limit to the policy:
/// switch over once the dirty set can be sent within the downtime target at the rate the last round measured,
/// unless another round is still worth it (docs/design.md, "Data plane").
/// </summary>
/// <remarks>
/// Round 0 alone never decides a switchover unless it left nothing dirty: its rate is that of a full pass in
/// maximum-size records, which overstates the rate of the scattered pages a guest dirties (measured: a 2 GiB guest
/// dirtying 64 MiB/s over 256 MiB expected 281 ms after round 0 and took 358 ms to send its dirty set). One round of
/// dirty pages measures the rate the final round will see, at the cost of that round.
/// <para>The target is a bound, not an aim: a round that left at most half as many pages dirty as it sent shows that
/// the transfer outruns the guest, so one more round at least halves the downtime, at the cost of a round as long as
/// that downtime while the zone still runs. The engine takes it while the expected downtime is above a tenth of the
/// target (measured: a KVM guest dirtying flat out, aes-128-ccm, switched over with 50–57 MB dirty and 72–107 ms of
/// downtime where one more round leaves about a third of that). A limit reached meanwhile switches over.</para>
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
        bool fits = expected <= options.DowntimeTarget && (last.Round > 0 || last.DirtyPages == 0);
        bool converging = last.Round > 0 && expected > options.DowntimeTarget / 10 && last.DirtyPages * 2 <= last.DataPages + last.ZeroPages;
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

        if (fits && (!converging || limit is not null))
        {
            return (Verdict.Switchover, expected, null);
        }

        return limit is null ? (Verdict.Continue, expected, null) : (Verdict.LimitReached, expected, limit);
    }
}
