using System.Globalization;
using System.Text;

namespace KernelZones.Migration.Tests.Reliability;

/// <summary>Renders the collected figures as docs/reliability.md.</summary>
internal static class ReliabilityReportWriter
{
    public static string Render(IReadOnlyList<FaultCaseRecord> faultCases, IReadOnlyDictionary<string, long> fuzzCases, IReadOnlyDictionary<(string Section, string Name), string> figures)
    {
        var text = new StringBuilder();
        text.AppendLine("# Reliability report");
        text.AppendLine();
        text.AppendLine("Generated from a test run (`KZ_RELIABILITY_REPORT=<file> dotnet test --project tests/KernelZones.Migration.Tests/KernelZones.Migration.Tests.csproj`,");
        text.AppendLine("or `scripts/reliability-report`); do not edit by hand. The invariants are DESIGN.md's: one live copy, no data lost,");
        text.AppendLine("tampering fatal, bounded by the peer.");
        text.AppendLine();
        AppendFaultFigures(text, faultCases);
        AppendFaultMatrix(text, faultCases);
        AppendOtherSections(text, fuzzCases, figures);
        return text.ToString();
    }

    private static void AppendFaultFigures(StringBuilder text, IReadOnlyList<FaultCaseRecord> cases)
    {
        var run = cases.Where(c => c.Outcome != "NotApplicable").ToArray();
        text.AppendLine("## Fault injection: figures");
        text.AppendLine();
        text.AppendLine("| Figure | Value |");
        text.AppendLine("|---|---|");
        Row(text, "faults injected (matrix cells run)", run.Length);
        Row(text, "cells not applicable (reason in the matrix)", cases.Count - run.Length);
        Row(text, "migrations completed", run.Count(c => c.Outcome == "Succeeded"));
        Row(text, "migrations rolled back", run.Count(c => c.Outcome == "RolledBack"));
        Row(text, "in-doubt outcomes (each resolved by the outcome query)", run.Count(c => c.Outcome == "InDoubt"));
        Row(text, "bytes lost (must be 0)", run.Sum(c => c.BytesLost));
        Row(text, "cases with every invariant held", run.Count(c => c.InvariantsHeld));
        Row(text, "cases with a broken invariant", run.Count(c => !c.InvariantsHeld));
        text.AppendLine();
    }

    private static void AppendFaultMatrix(StringBuilder text, IReadOnlyList<FaultCaseRecord> cases)
    {
        text.AppendLine("## Fault injection: matrix");
        text.AppendLine();
        text.AppendLine("Each case migrates a 16 MiB zone (2 MiB of random data, 8 pages rewritten before every collection so that there are");
        text.AppendLine("three pre-copy rounds and a final round) between two hosts on 127.0.0.1 through a record-aware TCP proxy.");
        text.AppendLine("Invariants checked: the zone runs on exactly one host (in doubt: on neither, until the outcome query resolves it),");
        text.AppendLine("source memory unchanged when it keeps the zone, destination memory and device state equal to the source's when it");
        text.AppendLine("takes it, destination clean when it does not, a clear `MigrationException`, no socket of the case left open.");
        text.AppendLine();
        text.AppendLine("| Fault | Phase | Connection | Outcome | Invariants held | Detail | What the proxy did | Time (s) |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var c in cases.OrderBy(c => c.Connection, StringComparer.Ordinal).ThenBy(c => c.Fault, StringComparer.Ordinal).ThenBy(c => Enum.Parse<Faults.MigrationPhase>(c.Phase)))
        {
            string held = c.Outcome == "NotApplicable" ? "n/a" : c.InvariantsHeld ? "yes" : "**no**: " + Cell(string.Join("; ", c.Failures));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(c.Fault)} | {c.Phase} | {c.Connection} | {c.Outcome} | {held} | {Cell(Shorten(c.Detail, 160))} | {Cell(Shorten(c.Effect, 120))} | {c.Duration.TotalSeconds:0.0} |");
        }

        text.AppendLine();
    }

    private static void AppendOtherSections(StringBuilder text, IReadOnlyDictionary<string, long> fuzzCases, IReadOnlyDictionary<(string Section, string Name), string> figures)
    {
        text.AppendLine("## Fuzzing: cases run per parser");
        text.AppendLine();
        text.AppendLine("<!-- Recorded by the fuzzing tests through ReliabilityReport.RecordFuzzCases(parser, cases). -->");
        if (fuzzCases.Count == 0)
        {
            text.AppendLine("_No fuzz cases were recorded in this run._");
        }
        else
        {
            text.AppendLine("| Parser | Cases |");
            text.AppendLine("|---|---|");
            foreach (var (parser, count) in fuzzCases.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(parser)} | {count} |");
            }
        }

        text.AppendLine();
        text.AppendLine("## Floods, brute force, concurrency, soak and other figures");
        text.AppendLine();
        text.AppendLine("<!-- Recorded through ReliabilityReport.RecordFigure(section, name, value). -->");
        if (figures.Count == 0)
        {
            text.AppendLine("_No other figures were recorded in this run._");
        }

        foreach (var section in figures.GroupBy(f => f.Key.Section).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"### {section.Key}");
            text.AppendLine();
            text.AppendLine("| Figure | Value |");
            text.AppendLine("|---|---|");
            foreach (var figure in section.OrderBy(f => f.Key.Name, StringComparer.Ordinal))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(figure.Key.Name)} | {Cell(figure.Value)} |");
            }

            text.AppendLine();
        }
    }

    private static void Row(StringBuilder text, string name, long value) => text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value} |");

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private static string Cell(string text) => text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);
}
