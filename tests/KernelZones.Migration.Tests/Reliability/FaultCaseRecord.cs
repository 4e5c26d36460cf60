namespace KernelZones.Migration.Tests.Reliability;

/// <summary>One row of the fault matrix as the report shows it.</summary>
/// <param name="Fault">The fault, cancellation or refusal.</param>
/// <param name="Phase">The migration phase it hit.</param>
/// <param name="Connection">control, data, source (cancellation) or destination (refusal).</param>
/// <param name="Outcome">Succeeded, RolledBack, InDoubt, or NotApplicable.</param>
/// <param name="Detail">The error, the in-doubt resolution, or why the cell is not applicable.</param>
/// <param name="Effect">What the proxy did.</param>
/// <param name="Failures">The invariants the case broke (empty when all held).</param>
/// <param name="BytesLost">Bytes that differ between the source at suspension and the destination, when the destination took the zone.</param>
/// <param name="Duration">Wall time of the case.</param>
internal sealed record FaultCaseRecord(string Fault, string Phase, string Connection, string Outcome, string Detail, string Effect, IReadOnlyList<string> Failures, long BytesLost, TimeSpan Duration)
{
    public bool InvariantsHeld => Failures.Count == 0;

    public static FaultCaseRecord NotApplicable(string fault, string phase, string connection, string reason) =>
        new(fault, phase, connection, "NotApplicable", reason, "", [], 0, TimeSpan.Zero);
}
