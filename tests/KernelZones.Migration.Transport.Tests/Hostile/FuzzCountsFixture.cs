using KernelZones.Testing.Fuzzing;

[assembly: AssemblyFixture(typeof(KernelZones.Migration.Transport.Tests.Hostile.FuzzCountsFixture))]

namespace KernelZones.Migration.Transport.Tests.Hostile;

/// <summary>
/// When a reliability report is being generated (<c>KZ_RELIABILITY_REPORT</c>), leaves this assembly's fuzz counts
/// beside it once every test has run; the migration tests' report writer adds them to docs/reliability.md.
/// </summary>
public sealed class FuzzCountsFixture : IDisposable
{
    public void Dispose()
    {
        string? path = Environment.GetEnvironmentVariable("KZ_RELIABILITY_REPORT");
        if (!string.IsNullOrWhiteSpace(path) && FuzzStatistics.TotalCases > 0)
        {
            FuzzStatistics.WriteCounts(Path.GetFullPath(path) + ".transport-fuzz");
        }
    }
}
