using System.Diagnostics;
using KernelZones.Migration.Control;
using KernelZones.Migration.Diagnostics;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Precopy;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Engine;

internal sealed partial class SourceMigration
{
    // Auto-converge never slows the guest below 5% of its speed; below that the migration is cancelled.
    private const double MinimumRunFraction = 0.05;

    private readonly record struct PrecopyOutcome(TimeSpan SetupTime, TimeSpan ExpectedDowntime, string? LimitAction, DirtyPageBitmap FinalSet);

    private async Task<PrecopyOutcome> RunPrecopyAsync(ControlConnection connection, CancellationToken cancellationToken)
    {
        var memory = _guest.Memory;
        var setup = _total.Elapsed;
        var started = Stopwatch.StartNew();
        _digest = new PageDigest(memory.PageCount, memory.PageSize);
        memory.StartDirtyTracking();
        var set = new DirtyPageBitmap(memory.PageCount);
        set.SetRange(0, memory.PageCount);
        string? limitAction = null;
        for (int round = 0; ; round++)
        {
            var stats = await SendRoundAsync(round, set, connection, cancellationToken).ConfigureAwait(false);
            Report(MigrationStep.Starting, stats, stats.DirtyPages * memory.PageSize);

            var (verdict, expected, limit) = SwitchoverDecision.Decide(_options, stats, memory.PageSize, _transfer!.BytesSent, memory.Size, started.Elapsed);
            if (verdict == SwitchoverDecision.Verdict.LimitReached)
            {
                limitAction = ApplyLimitPolicy(limit!, ref verdict);
                MigrationLog.LimitReached(_logger, MigrationId, ZoneName, limitAction);
            }

            if (verdict == SwitchoverDecision.Verdict.Switchover)
            {
                return new PrecopyOutcome(setup, expected, limitAction, set);
            }
        }
    }

    /// <summary>
    /// Sends one round: each stripe its share of <paramref name="set"/>; then collects the pages dirtied meanwhile into it.
    /// A pre-copy round (<paramref name="connection"/> given) ends with a marker on every stripe and a
    /// <see cref="RoundComplete"/> that the destination acknowledges once every marker has arrived: the round's
    /// duration is then the time to deliver it, and nothing of it is still in flight when the zone is suspended.
    /// The final round (no connection) is delivered and verified by the switchover.
    /// </summary>
    private async Task<PrecopyRound> SendRoundAsync(int round, DirtyPageBitmap set, ControlConnection? connection, CancellationToken cancellationToken)
    {
        bool final = connection is null;
        using var activity = MigrationActivities.StartPhase(final ? MigrationActivities.FinalRound : MigrationActivities.PrecopyRound, Activity.Current);
        var memory = _guest.Memory;
        var affinity = new PageAffinity(memory.PageSize, _options.Transport.Records.MaxPayloadLength, _transfer!.StripeCount);
        long wireBefore = _transfer.BytesSent;
        var clock = Stopwatch.StartNew();
        var stripes = _transfer.Stripes;
        var batches = stripes.Select(s => new RoundBatch(memory, set, affinity, s.Index, _digest!)).ToArray();
        await Task.WhenAll(stripes.Select(s => SendShareAsync(s, batches[s.Index], round, final, cancellationToken))).ConfigureAwait(false);
        long dataPages = batches.Sum(b => b.DataPages);
        long zeroPages = batches.Sum(b => b.ZeroPages);

        set.Clear();
        long dirty = 0;
        if (connection is not null)
        {
            dirty = memory.CollectDirtyPages(set);
            await connection.SendAsync(new RoundComplete(round, dataPages + zeroPages, _transfer.BytesSent - wireBefore, dirty, dirty * memory.PageSize), cancellationToken).ConfigureAwait(false);
            await connection.ReceiveAsync<Acknowledged>(cancellationToken).ConfigureAwait(false);
            memory.CollectDirtyPages(set); // and what the guest dirtied while the round drained
            dirty = set.PopCount();
        }

        var stats = new PrecopyRound(round, dataPages, zeroPages, _transfer.BytesSent - wireBefore, clock.Elapsed, dirty, final);
        _rounds.Add(stats);
        activity?.SetTag("kz.round", round);
        activity?.SetTag("kz.pages.data", stats.DataPages);
        activity?.SetTag("kz.pages.zero", stats.ZeroPages);
        activity?.SetTag("kz.bytes", stats.WireBytes);
        activity?.SetTag("kz.pages.dirtied", dirty);
        MigrationMetrics.RoundSent(stats.Final, stats.WireBytes, stats.DataPages, stats.ZeroPages);
        MigrationLog.RoundSent(_logger, MigrationId, round, stats.DataPages, stats.ZeroPages, stats.WireBytes, stats.Duration.TotalMilliseconds, dirty);
        return stats;
    }

    private static async Task SendShareAsync(Stripe stripe, RoundBatch batch, int round, bool final, CancellationToken cancellationToken)
    {
        await stripe.SendAsync(batch, cancellationToken).ConfigureAwait(false);
        if (!final)
        {
            await stripe.SendControlAsync(round, [], (byte)PrecopyRecordKind.RoundEnd, cancellationToken).ConfigureAwait(false);
        }
    }

    private string ApplyLimitPolicy(string limit, ref SwitchoverDecision.Verdict verdict)
    {
        switch (_options.OnLimit)
        {
            case LimitPolicy.ForceSwitchover:
                verdict = SwitchoverDecision.Verdict.Switchover;
                return $"switchover forced after {limit}";
            case LimitPolicy.Throttle when _guest.Throttle is { } throttle && throttle.RunFraction > MinimumRunFraction:
                double fraction = Math.Max(MinimumRunFraction, throttle.RunFraction / 2);
                throttle.SetRunFraction(fraction);
                verdict = SwitchoverDecision.Verdict.Continue;
                return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"guest throttled to {fraction * 100:0.#}% after {limit}");
            default:
                throw new MigrationException(MigrationFailureKind.Aborted, $"zone '{ZoneName}': pre-copy did not converge within {limit} (the zone dirties memory faster than it can be sent); migration cancelled, the zone keeps running on the source.");
        }
    }
}
