namespace KernelZones.Migration.Engine;

/// <summary>The operator-facing steps of a migration, in order, with the exact text <c>zoneadm migrate</c> prints.</summary>
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

/// <summary>The text of each <see cref="MigrationStep"/> and its rendering as <c>zoneadm</c> prints it.</summary>
public static class MigrationStepText
{
    /// <summary>The step's message, for example <c>Attaching zone.</c></summary>
    /// <param name="step">The step.</param>
    public static string Message(MigrationStep step) => step switch
    {
        MigrationStep.ImportingConfiguration => "Importing zone configuration.",
        MigrationStep.UsingExistingConfiguration => "Using existing zone configuration on destination.",
        MigrationStep.Attaching => "Attaching zone.",
        MigrationStep.BootingMigratingIn => "Booting zone in 'migrating-in' mode.",
        MigrationStep.CheckingCompatibility => "Checking migration compatibility.",
        MigrationStep.Starting => "Starting migration.",
        MigrationStep.Suspending => "Suspending zone on source host.",
        MigrationStep.WaitingForCompletion => "Waiting for migration to complete.",
        MigrationStep.Successful => "Migration successful.",
        MigrationStep.HaltingAndDetaching => "Halting and detaching zone on source host.",
        MigrationStep.CleaningUp => "Cleaning up.",
        MigrationStep.DryRunSuccessful => "Dry-run migration successful.",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
    };

    /// <summary>The line <c>zoneadm</c> prints: <c>zoneadm: zone 'kzone1': Attaching zone.</c></summary>
    /// <param name="zoneName">The zone's name.</param>
    /// <param name="step">The step.</param>
    public static string Render(string zoneName, MigrationStep step) => Render(zoneName, Message(step));

    /// <summary>Any message in <c>zoneadm</c>'s form: <c>zoneadm: zone '&lt;name&gt;': &lt;text&gt;</c>.</summary>
    /// <param name="zoneName">The zone's name.</param>
    /// <param name="text">The message.</param>
    public static string Render(string zoneName, string text) => $"zoneadm: zone '{zoneName}': {text}";
}
