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
}
