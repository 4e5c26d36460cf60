namespace KernelZones.Migration.Control;

/// <summary>What a destination knows of a migration, for in-doubt recovery; wire values, never renumbered.</summary>
public enum IncomingMigrationState
{
    /// <summary>The destination has no record of the migration.</summary>
    Unknown = 0,

    /// <summary>The migration is still under way.</summary>
    InProgress = 1,

    /// <summary>The migration was aborted; the destination holds no running copy.</summary>
    Aborted = 2,

    /// <summary>The destination received the commit and owns the zone.</summary>
    Committed = 3,

    /// <summary>The zone runs on the destination.</summary>
    Resumed = 4,
}
