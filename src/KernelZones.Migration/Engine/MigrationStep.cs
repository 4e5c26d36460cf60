namespace KernelZones.Migration.Engine;

/// <summary>
/// The operator-facing steps of a migration, in order, with the exact text <c>zoneadm migrate</c> prints
/// (<see cref="MigrationProgress.Message"/>).
/// </summary>
public enum MigrationStep
{
    /// <summary>"Importing zone configuration."</summary>
    ImportingConfiguration,

    /// <summary>"Using existing zone configuration on destination."</summary>
    UsingExistingConfiguration,

    /// <summary>"Attaching zone."</summary>
    Attaching,

    /// <summary>"Booting zone in 'migrating-in' mode."</summary>
    BootingMigratingIn,

    /// <summary>"Checking migration compatibility."</summary>
    CheckingCompatibility,

    /// <summary>"Starting migration."</summary>
    Starting,

    /// <summary>"Suspending zone on source host."</summary>
    Suspending,

    /// <summary>"Waiting for migration to complete."</summary>
    WaitingForCompletion,

    /// <summary>"Migration successful."</summary>
    Successful,

    /// <summary>"Halting and detaching zone on source host."</summary>
    HaltingAndDetaching,

    /// <summary>"Cleaning up." (dry run, or after a failure)</summary>
    CleaningUp,

    /// <summary>"Dry-run migration successful."</summary>
    DryRunSuccessful,
}
