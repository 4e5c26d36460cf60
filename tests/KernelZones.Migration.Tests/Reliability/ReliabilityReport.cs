using System.Collections.Concurrent;

namespace KernelZones.Migration.Tests.Reliability;

/// <summary>
/// Collects the reliability figures of a test run: the fault matrix, fuzz cases per parser,
/// and named figures of any other section (floods, brute force, soak). Thread-safe: tests running in parallel record
/// into it; <see cref="ReliabilityReportFixture"/> writes it as markdown at the end of the run when
/// <c>KZ_RELIABILITY_REPORT</c> names a file.
/// </summary>
internal static class ReliabilityReport
{
    public const string PathVariable = "KZ_RELIABILITY_REPORT";

    private static readonly ConcurrentQueue<FaultCaseRecord> s_faultCases = new();
    private static readonly ConcurrentDictionary<string, long> s_fuzzCases = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<(string Section, string Name), string> s_figures = new();

    public static IReadOnlyList<FaultCaseRecord> FaultCases => [.. s_faultCases];

    public static IReadOnlyDictionary<string, long> FuzzCases => s_fuzzCases;

    public static IReadOnlyDictionary<(string Section, string Name), string> Figures => s_figures;

    /// <summary>Records one cell of the fault matrix (run or not applicable).</summary>
    public static void RecordFaultCase(FaultCaseRecord row)
    {
        ArgumentNullException.ThrowIfNull(row);
        s_faultCases.Enqueue(row);
    }

    /// <summary>Adds <paramref name="cases"/> to the inputs a parser was fed (FsCheck cases, mutated inputs).</summary>
    public static void RecordFuzzCases(string parser, long cases)
    {
        ArgumentNullException.ThrowIfNull(parser);
        s_fuzzCases.AddOrUpdate(parser, cases, (_, total) => total + cases);
    }

    /// <summary>Sets a named figure of a section, for example ("Floods", "handshakes shed") → "1000".</summary>
    public static void RecordFigure(string section, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(name);
        s_figures[(section, name)] = value;
    }

    /// <summary>Writes the report to the file <c>KZ_RELIABILITY_REPORT</c> names, if it names one and anything was recorded.</summary>
    public static void WriteIfRequested()
    {
        string? path = Environment.GetEnvironmentVariable(PathVariable);
        foreach (var (parser, cases) in KernelZones.Testing.Fuzzing.FuzzStatistics.CasesPerParser)
        {
            RecordFuzzCases(parser, cases);
        }

        if (!string.IsNullOrWhiteSpace(path))
        {
            // The transport's parsers are fuzzed by the transport tests, which leave their counts beside the report.
            foreach (var (parser, cases) in KernelZones.Testing.Fuzzing.FuzzStatistics.ReadCounts(path + ".transport-fuzz"))
            {
                RecordFuzzCases(parser, cases);
            }
        }

        if (!string.IsNullOrWhiteSpace(path) && (!s_faultCases.IsEmpty || !s_fuzzCases.IsEmpty || !s_figures.IsEmpty))
        {
            string full = Path.GetFullPath(path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, ReliabilityReportWriter.Render(WithCellsLeftOut(FaultCases), FuzzCases, Figures));
        }
    }

    /// <summary>
    /// The cells run, and when the matrix ran, the cells it leaves out (not generated, so never run or skipped),
    /// taken from its filter with the reason each does not apply.
    /// </summary>
    private static IReadOnlyList<FaultCaseRecord> WithCellsLeftOut(IReadOnlyList<FaultCaseRecord> run) =>
        run.Count == 0
            ? run
            : [.. run, .. Faults.FaultMatrix.NotApplicableCells().Select(n => FaultCaseRecord.NotApplicable(
                n.Cell.Fault, n.Cell.Phase.ToString(), n.Cell.Target.ToString().ToLowerInvariant(), n.Reason))];
}

/// <summary>Writes the report once every test of the assembly has run.</summary>
public sealed class ReliabilityReportFixture : IDisposable
{
    public void Dispose() => ReliabilityReport.WriteIfRequested();
}
