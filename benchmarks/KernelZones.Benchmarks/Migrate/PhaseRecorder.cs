using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace KernelZones.Benchmarks.Migrate;

/// <summary>
/// Listens to the engine's activities (<c>KernelZones.Migration</c>) during the measured migration and prints where
/// the switchover went on each side: final round, verification (device state, end of streams, digests) and commit.
/// </summary>
internal sealed class PhaseRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public PhaseRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "KernelZones.Migration",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

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
