using System.Diagnostics.Metrics;

namespace KernelZones.Migration.Diagnostics;

/// <summary>
/// The engine's meter, <c>KernelZones.Migration</c>: migrations started, completed, failed, rolled back and in
/// doubt, pages, bytes and rounds sent, and downtime and duration histograms. Every measurement carries
/// <c>kz.side</c> (<c>source</c> or <c>destination</c>); recorded once per migration or per round, never per record.
/// The control service's connections turned away (refused or shed) are counted in
/// <c>kz.control.connections.rejected</c>, tagged <c>kz.reason</c>.
/// </summary>
internal static class MigrationMetrics
{
    public const string MeterName = "KernelZones.Migration";

    private static readonly Meter s_meter = new(MeterName, typeof(MigrationMetrics).Assembly.GetName().Version?.ToString());
    private static readonly Counter<long> s_started = s_meter.CreateCounter<long>("kz.migration.started", "{migration}", "Migrations begun (source: every attempt, dry runs included; destination: every configuration import).");
    private static readonly Counter<long> s_completed = s_meter.CreateCounter<long>("kz.migration.completed", "{migration}", "Migrations that ended with the zone running on the destination (or a passed dry run, tagged kz.outcome).");
    private static readonly Counter<long> s_failed = s_meter.CreateCounter<long>("kz.migration.failed", "{migration}", "Migrations that ended with an error before the commit point, tagged kz.failure.");
    private static readonly Counter<long> s_rolledBack = s_meter.CreateCounter<long>("kz.migration.rolled_back", "{migration}", "Migrations whose changes were undone: the source resumed its zone, or the destination discarded its copy.");
    private static readonly Counter<long> s_inDoubt = s_meter.CreateCounter<long>("kz.migration.in_doubt", "{migration}", "Commits sent but never acknowledged.");
    private static readonly Counter<long> s_bytesSent = s_meter.CreateCounter<long>("kz.migration.bytes_sent", "By", "Bytes the source put on the data connections, record overhead included.");
    private static readonly Counter<long> s_pagesSent = s_meter.CreateCounter<long>("kz.migration.pages_sent", "{page}", "Pages sent, tagged kz.page.kind: data (with contents) or zero (as ranges).");
    private static readonly Counter<long> s_rounds = s_meter.CreateCounter<long>("kz.migration.rounds", "{round}", "Pre-copy rounds sent, the final stop-and-copy round tagged kz.round.final.");
    private static readonly Histogram<double> s_downtime = s_meter.CreateHistogram<double>("kz.migration.downtime", "s", "From suspension on the source to the destination's report that the zone runs.");
    private static readonly Histogram<double> s_duration = s_meter.CreateHistogram<double>("kz.migration.duration", "s", "From the first control message to the end of the migration, whatever its outcome.");

    private static readonly Counter<long> s_connectionsRejected = s_meter.CreateCounter<long>("kz.control.connections.rejected", "{connection}", "Control connections turned away before authenticating, tagged kz.reason: address_limit, prefix_limit or full (refused at once) or shed (closed to make room).");

    public const string Source = "source";
    public const string Destination = "destination";

    public static void Started(string side) => s_started.Add(1, Side(side));

    public static void Completed(string side, bool dryRun) =>
        s_completed.Add(1, Side(side), new("kz.outcome", dryRun ? "dry_run" : "succeeded"));

    public static void Failed(string side, MigrationFailureKind kind) => s_failed.Add(1, Side(side), new("kz.failure", kind.ToString()));

    public static void RolledBack(string side) => s_rolledBack.Add(1, Side(side));

    public static void InDoubt() => s_inDoubt.Add(1, Side(Source));

    public static void RoundSent(bool final, long wireBytes, long dataPages, long zeroPages)
    {
        var side = Side(Source);
        s_rounds.Add(1, side, new("kz.round.final", final));
        s_bytesSent.Add(wireBytes, side);
        s_pagesSent.Add(dataPages, side, new("kz.page.kind", "data"));
        s_pagesSent.Add(zeroPages, side, new("kz.page.kind", "zero"));
    }

    /// <summary>Bytes sent outside the rounds (device state, end-of-stream records).</summary>
    public static void BytesSent(long bytes) => s_bytesSent.Add(bytes, Side(Source));

    public static void Downtime(TimeSpan downtime) => s_downtime.Record(downtime.TotalSeconds, Side(Source));

    public static void Duration(string side, TimeSpan duration) => s_duration.Record(duration.TotalSeconds, Side(side));

    public static void ConnectionRejected(string reason) => s_connectionsRejected.Add(1, new KeyValuePair<string, object?>("kz.reason", reason));

    private static KeyValuePair<string, object?> Side(string side) => new("kz.side", side);
}
