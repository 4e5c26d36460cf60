using System.Diagnostics;
using KernelZones.Migration.Control;
using KernelZones.Migration.Diagnostics;

namespace KernelZones.Migration.Engine;

/// <summary>The destination's activities, metrics and logs: one activity per incoming migration, one child per phase as the source's messages mark them.</summary>
internal sealed partial class DestinationMigration
{
    private readonly Stopwatch _clock = new();
    private Activity? _activity;
    private Activity? _phase;
    private bool _started;
    private bool _discardReported;

    /// <summary>The first configuration import starts the migration: its activity, the setup phase, the counter.</summary>
    private void OnStarted(string zoneName)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _clock.Start();
        _activity = MigrationActivities.StartMigration(MigrationMetrics.Destination, zoneName);
        _activity?.SetTag("kz.user", _connection.User);
        MigrationMetrics.Started(MigrationMetrics.Destination);
        MigrationLog.IncomingMigration(_logger, zoneName, _connection.User, _connection.RemoteEndPoint);
        NextPhase(MigrationActivities.Setup);
    }

    /// <summary>Ends the current phase and starts <paramref name="name"/> (or none).</summary>
    private void NextPhase(string? name)
    {
        _phase?.Dispose();
        _phase = name is null ? null : MigrationActivities.StartPhase(name, _activity);
    }

    private void OnRoundComplete(RoundComplete round)
    {
        _phase?.SetTag("kz.round", round.Round);
        _phase?.SetTag("kz.pages", round.PagesSent);
        _phase?.SetTag("kz.bytes", round.BytesSent);
        _phase?.SetTag("kz.pages.dirtied", round.DirtyPagesRemaining);
        NextPhase(MigrationActivities.PrecopyRound);
    }

    private void OnResumed()
    {
        _activity?.SetTag("kz.migration.id", _migrationId);
        _activity?.SetTag("kz.outcome", nameof(MigrationOutcome.Succeeded));
        MigrationMetrics.Completed(MigrationMetrics.Destination, dryRun: false);
        MigrationLog.IncomingResumed(_logger, _migrationId, Zone().Name);
    }

    private void OnFailed(MigrationException failure)
    {
        MigrationActivities.Fail(_phase, failure);
        MigrationActivities.Fail(_activity, failure);
        MigrationMetrics.Failed(MigrationMetrics.Destination, failure.Kind);
    }

    private void OnDiscarded(string zoneName)
    {
        if (!_discardReported)
        {
            _discardReported = true;
            _activity?.SetTag("kz.outcome", "discarded");
            MigrationMetrics.RolledBack(MigrationMetrics.Destination);
            MigrationLog.IncomingDiscarded(_logger, zoneName);
        }
    }

    private void OnEnded()
    {
        NextPhase(null);
        if (_activity is not null || _started)
        {
            MigrationMetrics.Duration(MigrationMetrics.Destination, _clock.Elapsed);
        }

        _activity?.Dispose();
        _activity = null;
    }
}
