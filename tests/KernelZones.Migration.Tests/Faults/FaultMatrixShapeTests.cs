namespace KernelZones.Migration.Tests.Faults;

/// <summary>The matrix's filter: every cell is either generated (and applies) or left out with a reason, never both, never skipped.</summary>
public sealed class FaultMatrixShapeTests
{
    [Fact]
    public void The_matrix_generates_only_cells_that_apply_and_the_filter_names_the_rest()
    {
        FaultCase[] generated =
        [
            .. Rows(ControlConnectionSetupFaultTests.Cells, FaultTarget.Control),
            .. Rows(ControlConnectionTransferFaultTests.Cells, FaultTarget.Control),
            .. Rows(DataConnectionFaultTests.Cells, FaultTarget.Data),
            .. Rows(CancellationAndRefusalTests.Cancellations, FaultTarget.Source),
            .. Rows(CancellationAndRefusalTests.Refusals, FaultTarget.Destination),
        ];
        var leftOut = FaultMatrix.NotApplicableCells().ToArray();

        Assert.All(generated, cell => Assert.Null(FaultMatrix.NotApplicable(cell)));
        Assert.All(leftOut, n => Assert.False(string.IsNullOrWhiteSpace(n.Reason), $"{n.Cell} is left out without a reason"));
        Assert.Empty(generated.Intersect(leftOut.Select(n => n.Cell)));
        Assert.Equal(generated.Length, generated.Distinct().Count());

        // Network faults at every phase on both connections, a cancellation at every phase, each refusal at its own phase.
        int phases = Enum.GetValues<MigrationPhase>().Length;
        Assert.Equal((2 * FaultMatrix.NetworkFaults.Count * phases) + phases + FaultMatrix.Refusals.Count, generated.Length + leftOut.Length);
        Assert.Equal(197, generated.Length);
        Assert.Equal(55, leftOut.Length);
    }

    private static IEnumerable<FaultCase> Rows(TheoryData<string, string> cells, FaultTarget target) =>
        ((IEnumerable<ITheoryDataRow>)cells).Select(row => row.GetData()).Select(data =>
            new FaultCase((string)data[0]!, Enum.Parse<MigrationPhase>((string)data[1]!), target));
}
