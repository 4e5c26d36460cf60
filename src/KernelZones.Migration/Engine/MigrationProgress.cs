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

    /// <summary>The step's line as <c>zoneadm</c> prints it.</summary>
    public string Message => MigrationStepText.Render(ZoneName, Step);
}
