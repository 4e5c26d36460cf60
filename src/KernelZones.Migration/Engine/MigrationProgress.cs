namespace KernelZones.Migration.Engine;

/// <summary>A progress report: a step was reached, or a pre-copy round finished.</summary>
/// <param name="ZoneName">The zone being migrated.</param>
/// <param name="Step">The current step.</param>
/// <param name="Round">The round just finished, while the step is <see cref="MigrationStep.Starting"/> or later; otherwise <see langword="null"/>.</param>
/// <param name="BytesSent">Bytes put on the data connections so far.</param>
/// <param name="BytesRemaining">Estimated bytes left to send (the current dirty set).</param>
/// <param name="BytesPerSecond">Throughput of the last round.</param>
public sealed record MigrationProgress(string ZoneName, MigrationStep Step, PrecopyRound? Round, long BytesSent, long BytesRemaining, double BytesPerSecond)
{
    /// <summary>Bytes each data connection has put on the wire so far, by stripe index; empty before the stripes connect.</summary>
    public IReadOnlyList<long> BytesPerStripe { get; init; } = [];

    /// <summary>The step's line as <c>zoneadm</c> prints it, e.g. <c>zoneadm: zone 'kzone1': Attaching zone.</c></summary>
    public string Message => $"zoneadm: zone '{ZoneName}': {StepText(Step)}";

    private static string StepText(MigrationStep step) => step switch
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
}
