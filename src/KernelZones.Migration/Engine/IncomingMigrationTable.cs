using KernelZones.Migration.Control;

namespace KernelZones.Migration.Engine;

/// <summary>
/// What a destination remembers of its migrations, for <see cref="MigrationSource.QueryIncomingStateAsync"/>: every
/// migration under way, and the outcomes of the last <see cref="DefaultCapacity"/> that finished (aborted, committed
/// or resumed). Older outcomes are forgotten in the order they finished and then read as
/// <see cref="IncomingMigrationState.Unknown"/>, so the table stays bounded however long the host runs.
/// </summary>
/// <remarks>
/// A count rather than an age, because an in-doubt source asks within seconds or minutes, and 1,024 outcomes
/// (about 40 KiB) cover far more than that at any realistic migration rate. Entries under way are bounded by the
/// control service's connections. Thread-safe.
/// </remarks>
internal sealed class IncomingMigrationTable(int capacity = IncomingMigrationTable.DefaultCapacity)
{
    /// <summary>Finished outcomes kept: 1024.</summary>
    public const int DefaultCapacity = 1024;

    private readonly Dictionary<Guid, IncomingMigrationState> _states = [];
    private readonly Queue<Guid> _finished = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _states.Count;
            }
        }
    }

    public IncomingMigrationState this[Guid migrationId]
    {
        get
        {
            lock (_lock)
            {
                return _states.GetValueOrDefault(migrationId, IncomingMigrationState.Unknown);
            }
        }

        set
        {
            lock (_lock)
            {
                Set(migrationId, value);
            }
        }
    }

    private void Set(Guid migrationId, IncomingMigrationState state)
    {
        bool wasFinished = _states.TryGetValue(migrationId, out var previous) && previous != IncomingMigrationState.InProgress;
        _states[migrationId] = state;
        if (wasFinished || state == IncomingMigrationState.InProgress)
        {
            return;
        }

        _finished.Enqueue(migrationId);
        if (_finished.Count > capacity)
        {
            _states.Remove(_finished.Dequeue());
        }
    }
}
