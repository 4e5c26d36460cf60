using System.Diagnostics;

namespace KernelZones.Migration.Diagnostics;

/// <summary>
/// The engine's activity source, <c>KernelZones.Migration</c>: one activity per migration on each side
/// (<see cref="Migration"/>) with a child per phase — <see cref="Setup"/>, one <see cref="PrecopyRound"/> per round,
/// and <see cref="Switchover"/> (suspension to resumption), whose children split the downtime into
/// <see cref="FinalRound"/>, <see cref="Verify"/> and <see cref="Commit"/>.
/// </summary>
internal static class MigrationActivities
{
    public const string SourceName = "KernelZones.Migration";

    public const string Migration = "kz.migration";
    public const string Setup = "kz.migration.setup";
    public const string PrecopyRound = "kz.migration.precopy_round";
    public const string Switchover = "kz.migration.switchover";
    public const string FinalRound = "kz.migration.final_round";
    public const string Verify = "kz.migration.verify";
    public const string Commit = "kz.migration.commit";

    private static readonly ActivitySource s_source = new(SourceName, typeof(MigrationActivities).Assembly.GetName().Version?.ToString());

    /// <summary>Starts a migration's root activity (it becomes <see cref="Activity.Current"/> of the caller's flow).</summary>
    public static Activity? StartMigration(string side, string zoneName)
    {
        var activity = s_source.StartActivity(Migration, side == MigrationMetrics.Source ? ActivityKind.Client : ActivityKind.Server);
        activity?.SetTag("kz.side", side);
        activity?.SetTag("kz.zone", zoneName);
        return activity;
    }

    /// <summary>Starts a phase under <paramref name="parent"/> (explicitly, so that phases spanning several messages nest right).</summary>
    public static Activity? StartPhase(string name, Activity? parent) => parent switch
    {
        null => null,
        _ when Activity.Current == parent => s_source.StartActivity(name), // a real parent, restored as current when the phase stops
        _ => s_source.StartActivity(name, ActivityKind.Internal, parent.Context),
    };

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="error"/>.</summary>
    public static void Fail(Activity? activity, Exception error)
    {
        activity?.SetStatus(ActivityStatusCode.Error, error.Message);
        activity?.AddException(error);
    }
}
