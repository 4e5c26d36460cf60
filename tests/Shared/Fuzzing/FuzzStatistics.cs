using System.Collections.Concurrent;

namespace KernelZones.Testing.Fuzzing;

/// <summary>Fuzz cases run per parser in this test run, for the reliability report.</summary>
internal static class FuzzStatistics
{
    private static readonly ConcurrentDictionary<string, long> s_cases = new(StringComparer.Ordinal);

    /// <summary>Cases run per parser so far, by parser name.</summary>
    public static IReadOnlyDictionary<string, long> CasesPerParser => new SortedDictionary<string, long>(s_cases, StringComparer.Ordinal);

    /// <summary>Every case of every parser so far.</summary>
    public static long TotalCases => s_cases.Values.Sum();

    public static void Record(string parser) => s_cases.AddOrUpdate(parser, 1, static (_, n) => n + 1);

    /// <summary>Writes the counts as <c>parser&lt;TAB&gt;cases</c> lines, for a report another test assembly writes.</summary>
    public static void WriteCounts(string path) =>
        File.WriteAllLines(path, CasesPerParser.Select(p => $"{p.Key}\t{p.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));

    /// <summary>Reads counts <see cref="WriteCounts"/> wrote; nothing when the file does not exist.</summary>
    public static IEnumerable<KeyValuePair<string, long>> ReadCounts(string path) =>
        File.Exists(path)
            ? File.ReadAllLines(path).Select(l => l.Split('\t')).Where(f => f.Length == 2).Select(f => KeyValuePair.Create(f[0], long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture)))
            : [];
}
