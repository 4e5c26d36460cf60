using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using KernelZones.Migration.Diagnostics;
using KernelZones.Migration.Engine;

namespace KernelZones.Migration.Tests.Engine;

/// <summary>
/// A real loopback migration under a test activity: every engine activity of that trace, and the engine meter's
/// measurements (other tests may migrate at the same time, hence "at least" for the counters).
/// </summary>
public sealed class MigrationTelemetryTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private static readonly ActivitySource s_test = new("KernelZones.Migration.Tests.Telemetry");

    [Fact]
    public async Task The_data_service_logs_through_the_control_services_logger_factory()
    {
        var log = new Control.RecordingLoggerFactory();
        await using var fixture = new MigrationFixture(16L << 20, o => new MigrationDestinationOptions
        {
            Control = o.Control with { LoggerFactory = log },
            DataEndPoint = o.DataEndPoint,
            CreateGuest = o.CreateGuest,
            Capabilities = o.Capabilities,
        });

        using (var stray = new System.Net.Sockets.TcpClient())
        {
            await stray.ConnectAsync(System.Net.IPAddress.Loopback, fixture.Destination.DataPort).WaitAsync(s_timeout);
            await stray.GetStream().WriteAsync(new byte[76]).AsTask().WaitAsync(s_timeout); // not a stripe hello
            await log.FirstEvent(DataConnectionRejected).WaitAsync(s_timeout);
        }

        Assert.Null(fixture.Destination.Host.Find("mig1"));
    }

    private const int DataConnectionRejected = 1003;

    [Fact]
    public async Task A_migration_reports_an_activity_per_side_with_its_phases_and_the_engine_instruments()
    {
        using var recorder = new TelemetryRecorder();
        ActivityTraceId trace;
        using (var test = s_test.StartActivity("migrate under test"))
        {
            trace = test!.TraceId;
            await using var fixture = new MigrationFixture(16L << 20);
            fixture.Guest.FillRandom(0, 4L << 20, seed: 11);
            var result = await fixture.MigrateAsync().WaitAsync(s_timeout);
            Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
        }

        var activities = recorder.Activities.Where(a => a.TraceId == trace && a.Source.Name == MigrationActivities.SourceName).ToList();
        var roots = activities.Where(a => a.OperationName == MigrationActivities.Migration).ToList();
        Assert.Equal(["destination", "source"], roots.Select(a => (string)a.GetTagItem("kz.side")!).Order());
        foreach (var root in roots)
        {
            var phases = activities.Where(a => a.ParentSpanId == root.SpanId).Select(a => a.OperationName).ToList();
            Assert.Contains(MigrationActivities.Setup, phases);
            Assert.Contains(MigrationActivities.PrecopyRound, phases);
            Assert.Contains(MigrationActivities.Switchover, phases);
            Assert.Equal(nameof(MigrationOutcome.Succeeded), root.GetTagItem("kz.outcome"));
            var switchover = activities.Single(a => a.ParentSpanId == root.SpanId && a.OperationName == MigrationActivities.Switchover);
            var steps = activities.Where(a => a.ParentSpanId == switchover.SpanId).Select(a => a.OperationName).ToList();
            Assert.Contains(MigrationActivities.Verify, steps);
            Assert.Contains(MigrationActivities.Commit, steps);
        }

        var sourceRoot = roots.Single(a => (string)a.GetTagItem("kz.side")! == "source");
        var sourceSwitchover = activities.Single(a => a.ParentSpanId == sourceRoot.SpanId && a.OperationName == MigrationActivities.Switchover);
        Assert.Contains(activities, a => a.ParentSpanId == sourceSwitchover.SpanId && a.OperationName == MigrationActivities.FinalRound);

        Assert.True(recorder.Sum("kz.migration.started", "source") >= 1);
        Assert.True(recorder.Sum("kz.migration.started", "destination") >= 1);
        Assert.True(recorder.Sum("kz.migration.completed", "source") >= 1);
        Assert.True(recorder.Sum("kz.migration.completed", "destination") >= 1);
        Assert.True(recorder.Sum("kz.migration.rounds", "source") >= 2, "round 0 and the final round");
        Assert.True(recorder.Sum("kz.migration.bytes_sent", "source") >= 4L << 20);
        Assert.True(recorder.Sum("kz.migration.pages_sent", "source") >= (16L << 20) / 4096);
        Assert.True(recorder.Count("kz.migration.downtime", "source") >= 1);
        Assert.True(recorder.Count("kz.migration.duration", "destination") >= 1);
    }

    [Fact]
    public async Task A_failed_migration_is_counted_as_failed_and_rolled_back_and_its_activity_is_an_error()
    {
        using var recorder = new TelemetryRecorder();
        ActivityTraceId trace;
        using (var test = s_test.StartActivity("fail under test"))
        {
            trace = test!.TraceId;
            await using var fixture = new MigrationFixture(16L << 20, o => new MigrationDestinationOptions
            {
                Control = o.Control, DataEndPoint = o.DataEndPoint, CreateGuest = o.CreateGuest, Capabilities = new KernelZones.Migration.Negotiation.DestinationCapabilities { FreeMemoryBytes = 1L << 40, CpuArchClasses = ["generic"] },
            }, cpuArch: "migration-class1");
            await Assert.ThrowsAsync<MigrationException>(() => fixture.MigrateAsync().WaitAsync(s_timeout));
            await LiveMigrationTests.AssertDestinationCleanAsync(fixture);
        }

        var root = recorder.Activities.Single(a => a.TraceId == trace && a.OperationName == MigrationActivities.Migration && (string)a.GetTagItem("kz.side")! == "source");
        Assert.Equal(ActivityStatusCode.Error, root.Status);
        Assert.True(recorder.Sum("kz.migration.failed", "source") >= 1);
        Assert.True(recorder.Sum("kz.migration.rolled_back", "source") >= 1);
        Assert.True(recorder.Sum("kz.migration.rolled_back", "destination") >= 1);
    }

    /// <summary>Listens to the engine's activity source and meter for the life of a test.</summary>
    private sealed class TelemetryRecorder : IDisposable
    {
        private readonly ActivityListener _activities;
        private readonly MeterListener _meters = new();
        private readonly ConcurrentQueue<(string Instrument, string? Side, double Value)> _measurements = new();

        public TelemetryRecorder()
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = s => s.Name is MigrationActivities.SourceName or "KernelZones.Migration.Tests.Telemetry",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Activities.Enqueue,
            };
            ActivitySource.AddActivityListener(_activities);
            _meters.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MigrationMetrics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
            _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
            _meters.Start();
        }

        public ConcurrentQueue<Activity> Activities { get; } = new();

        public double Sum(string instrument, string side) => _measurements.Where(m => m.Instrument == instrument && m.Side == side).Sum(m => m.Value);

        public int Count(string instrument, string side) => _measurements.Count(m => m.Instrument == instrument && m.Side == side);

        public void Dispose()
        {
            _meters.Dispose();
            _activities.Dispose();
        }

        private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? side = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "kz.side")
                {
                    side = tag.Value as string;
                }
            }

            _measurements.Enqueue((instrument.Name, side, value));
        }
    }
}
