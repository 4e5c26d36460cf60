using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace KernelZones.Benchmarks.Migrate;

/// <summary>
/// Listens to the engine's activities (<c>KernelZones.Migration</c>) during the measured migration: it prints where
/// the switchover went on each side (final round, verification of device state, end of streams and digests, commit),
/// and it reads the process's CPU time when the source's setup ends, where the transfer begins.
/// </summary>
internal sealed class PhaseRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;
    private TimeSpan? _cpuAtTransferStart;

    public PhaseRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "KernelZones.Migration",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "kz.migration.setup" && activity.Parent?.GetTagItem("kz.side") is "source")
                {
                    _cpuAtTransferStart ??= Process.GetCurrentProcess().TotalProcessorTime;
                }

                _stopped.Enqueue(activity);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The process's CPU time when the measured migration's first page was due (the source's setup ended); null before.</summary>
    public TimeSpan? CpuAtTransferStart => _cpuAtTransferStart;

    public void PrintSwitchover()
    {
        var activities = _stopped.ToArray();
        foreach (var root in activities.Where(a => a.OperationName == "kz.migration"))
        {
            var switchover = activities.FirstOrDefault(a => a.ParentSpanId == root.SpanId && a.OperationName == "kz.migration.switchover");
            if (switchover is null)
            {
                continue;
            }

            var steps = activities.Where(a => a.ParentSpanId == switchover.SpanId).OrderBy(a => a.StartTimeUtc)
                .Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.OperationName["kz.migration.".Length..]} {a.Duration.TotalMilliseconds:0.0}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {root.GetTagItem("kz.side")} switchover {switchover.Duration.TotalMilliseconds:0.0} ms: {string.Join(", ", steps)} ms"));
        }
    }

    public void Dispose() => _listener.Dispose();
}
