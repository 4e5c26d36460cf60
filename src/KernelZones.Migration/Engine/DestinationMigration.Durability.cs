using KernelZones.Migration.Diagnostics;

namespace KernelZones.Migration.Engine;

/// <summary>
/// The destination's durable record of the zone (<see cref="Lifecycle.IZoneStore"/>): saved once the source has suspended
/// the zone, while its last round arrives, awaited before the destination reports ready to commit, undone when the
/// migration ends without a commit. A crash during the pre-copy rounds therefore leaves no record behind.
/// </summary>
internal sealed partial class DestinationMigration
{
    private static readonly TimeSpan s_undoLimit = TimeSpan.FromSeconds(30);
    private Task? _saving;

    /// <summary>Starts saving the zone's configuration; the data stripes do not wait for it.</summary>
    private void StartSaving(CancellationToken cancellationToken)
    {
        if (_options.ZoneStore is { } store && _saving is null)
        {
            // Run off this thread: a store that blocks on a slow disk must not hold up the wait for the last round.
            var configuration = Zone().Configuration;
            _saving = Task.Run(() => store.SaveAsync(configuration, cancellationToken), cancellationToken);
        }
    }

    /// <summary>Waits until the zone is durable; a failure refuses the commit.</summary>
    private async Task SavedAsync(CancellationToken cancellationToken)
    {
        if (_saving is null)
        {
            return;
        }

        try
        {
            await _saving.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new MigrationException(MigrationFailureKind.Persistence,
                $"zone '{Zone().Name}': the destination cannot make the zone durable ({ex.Message}); it refuses the commit and the zone keeps running on the source.", ex);
        }
    }

    /// <summary>Takes back the save of a migration that was not committed: the record is deleted, or the earlier configuration saved again.</summary>
    private async Task UndoSaveAsync(string zoneName)
    {
        if (_options.ZoneStore is not { } store || _saving is not { } saving)
        {
            return;
        }

        _saving = null;
        using var limit = new CancellationTokenSource(s_undoLimit);
        try
        {
            // The save may still be running: the undo must come after it, or it would be undone by it.
            await saving.WaitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failed or hung save may have left a record all the same: remove it below either way.
        }

        try
        {
            if (_imported)
            {
                await store.DeleteAsync(zoneName, limit.Token).ConfigureAwait(false);
            }
            else if (_previousConfiguration is not null)
            {
                await store.SaveAsync(_previousConfiguration, limit.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            MigrationLog.ZoneRecordNotRestored(_logger, zoneName, ex);
        }
    }
}
