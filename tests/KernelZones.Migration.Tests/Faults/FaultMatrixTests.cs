using KernelZones.Migration.Tests.Reliability;

[assembly: AssemblyFixture(typeof(ReliabilityReportFixture))]

namespace KernelZones.Migration.Tests.Faults;

/// <summary>Runs one matrix cell (the matrix generates only cells that apply): records it for the report, then fails with every broken invariant.</summary>
internal static class FaultMatrixCell
{
    public static async Task RunAsync(string fault, string phase, FaultTarget target)
    {
        var cell = new FaultCase(fault, Enum.Parse<MigrationPhase>(phase), target);
        var row = await FaultScenario.RunAsync(cell);
        ReliabilityReport.RecordFaultCase(row);
        Assert.True(row.InvariantsHeld, $"{cell}: {string.Join("; ", row.Failures)} (outcome {row.Outcome}: {row.Detail}; proxy: {row.Effect})");
    }
}

// The control connection's cells are split in two classes (setup, transfer) so that xunit can run them in parallel.
public sealed class ControlConnectionSetupFaultTests
{
    public static TheoryData<string, string> Cells => FaultMatrix.Cells(FaultTarget.Control, setup: true);

    [Theory]
    [MemberData(nameof(Cells))]
    public Task Control_connection_fault(string fault, string phase) => FaultMatrixCell.RunAsync(fault, phase, FaultTarget.Control);
}

public sealed class ControlConnectionTransferFaultTests
{
    public static TheoryData<string, string> Cells => FaultMatrix.Cells(FaultTarget.Control, setup: false);

    [Theory]
    [MemberData(nameof(Cells))]
    public Task Control_connection_fault(string fault, string phase) => FaultMatrixCell.RunAsync(fault, phase, FaultTarget.Control);
}

public sealed class DataConnectionFaultTests
{
    public static TheoryData<string, string> Cells => FaultMatrix.Cells(FaultTarget.Data);

    [Theory]
    [MemberData(nameof(Cells))]
    public Task Data_connection_fault(string fault, string phase) => FaultMatrixCell.RunAsync(fault, phase, FaultTarget.Data);
}

public sealed class CancellationAndRefusalTests
{
    public static TheoryData<string, string> Cancellations => FaultMatrix.Cells(FaultTarget.Source);

    public static TheoryData<string, string> Refusals => FaultMatrix.Cells(FaultTarget.Destination);

    [Theory]
    [MemberData(nameof(Cancellations))]
    public Task Cancellation(string fault, string phase) => FaultMatrixCell.RunAsync(fault, phase, FaultTarget.Source);

    [Theory]
    [MemberData(nameof(Refusals))]
    public Task Refusal(string fault, string phase) => FaultMatrixCell.RunAsync(fault, phase, FaultTarget.Destination);
}
