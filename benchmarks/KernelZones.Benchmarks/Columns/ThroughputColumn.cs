using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace KernelZones.Benchmarks.Columns;

/// <summary>
/// Throughput in GB/s (10^9 bytes per second): the benchmark's byte-count parameter divided by its mean time.
/// Bytes per nanosecond equal GB/s, so no scaling is needed.
/// </summary>
internal sealed class ThroughputColumn(string sizeParameter) : IColumn
{
    public string Id => $"{nameof(ThroughputColumn)}.{sizeParameter}";

    public string ColumnName => "GB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Throughput: {sizeParameter} bytes / Mean, in 10^9 bytes per second";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNanoseconds is not > 0 || benchmarkCase.Parameters[sizeParameter] is not int bytes)
        {
            return "NA";
        }

        return (bytes / meanNanoseconds.Value).ToString("N2", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>Adds <see cref="ThroughputColumn"/> for a benchmark class whose byte count is the <c>Size</c> parameter.</summary>
internal sealed class SizeThroughputConfig : ManualConfig
{
    public SizeThroughputConfig() => AddColumn(new ThroughputColumn("Size"));
}
