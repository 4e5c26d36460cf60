using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using KernelZones.Migration.Control.Internal;
using KernelZones.Migration.Diagnostics;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Tests.Control;
using KernelZones.Migration.Tests.Reliability;
using KernelZones.Testing.Load;
using Microsoft.Extensions.Time.Testing;

// Every await here is bounded by WaitAsync or a deadline; the test token adds nothing.
#pragma warning disable xUnit1051
namespace KernelZones.Migration.Tests.Hostile;

/// <summary>
/// The control port's fair admission under a flood of plain TCP connections from other addresses: real migrations from
/// 127.0.0.1 get through; what is turned away is counted in the meter and summarized in the log, not logged one by one.
/// </summary>
[Collection(ProcessWideMeasurements.Name)]
public sealed class ControlFloodTests : IDisposable
{
    private const int ConnectionsTurnedAway = 40; // the control service's summary event id
    private const int HandshakeFailed = 3;
    private const int Migrations = 10;
    private const int FloodPerSecond = 1000;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(120);

    // One address in the source's own /24, and four in each of two other /24s: the per-address, per-prefix and total caps all bite.
    private static readonly IPAddress[] s_flooders = [.. new[] { "127.0.0.2", "127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.1.4", "127.0.2.1", "127.0.2.2", "127.0.2.3", "127.0.2.4" }.Select(IPAddress.Parse)];
    private readonly string _knownHosts = Path.GetTempFileName();

    [Fact]
    public async Task Ten_migrations_from_one_address_all_succeed_while_other_addresses_flood_the_control_port_at_1000_connections_a_second()
    {
        await using var source = new TestHost("kz-src", _knownHosts);
        await using var destination = new TestHost("kz-dst", _knownHosts);
        string[] zones = [.. Enumerable.Range(0, Migrations).Select(i => $"web{i}")];
        foreach (var (zone, i) in zones.Select((z, i) => (z, i)))
        {
            source.AddZone(zone, 8L << 20).FillRandom(0, 4L << 20, seed: 60 + i);
        }

        var failures = new List<string>();
        var durations = new List<TimeSpan>();
        int opened, closed, failedConnects;
        double rate;
        await using (var flood = new ConnectionFlood(destination.Destination.ControlPort, s_flooders, FloodPerSecond, limit: 60 * FloodPerSecond))
        {
            // The caps are reached (the service has started closing flood connections) before the first migration starts.
            await flood.FirstClosed.WaitAsync(s_wait);
            // All ten at once: their handshakes overlap with each other and with the flood, as a host evacuating its zones would.
            await Task.WhenAll(zones.Select(async zone =>
            {
                try
                {
                    MigrationResult result = await source.MigrateAsync(zone, destination).WaitAsync(s_wait);
                    Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
                    lock (durations)
                    {
                        durations.Add(result.TotalTime);
                    }
                }
                catch (MigrationException e)
                {
                    lock (failures)
                    {
                        failures.Add($"{zone}: {e.Kind}: {e.Message}");
                    }
                }
            })).WaitAsync(s_wait);

            (opened, closed, failedConnects, rate) = (flood.Opened, flood.Closed, flood.Failed, flood.Rate);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"flood: {opened} connections at {rate:0} per second, {closed} closed by the service, {failedConnects} connects failed; migrations: {durations.Count} of {Migrations}, median {Median(durations).TotalMilliseconds:0} ms");
        failures.ForEach(f => TestContext.Current.TestOutputHelper?.WriteLine(f));
        Assert.True(failures.Count == 0, $"{Migrations - failures.Count} of {Migrations} migrations succeeded under the flood; first failure: {failures.FirstOrDefault()}");
        Assert.True(rate >= FloodPerSecond * 0.5, $"the flood reached only {rate:0} connections per second");
        Assert.True(closed >= opened / 2, $"the service closed only {closed} of {opened} flood connections");
        ReliabilityReport.RecordFigure("Floods", "control port: migrations from one address through a 1,000/s plain-TCP flood from nine others", $"{durations.Count} of {Migrations}");
        ReliabilityReport.RecordFigure("Floods", "control port: flood connections opened / closed by the admission caps", $"{opened} / {closed}");
    }

    [Fact]
    public async Task Turned_away_connections_are_counted_by_reason_and_logged_as_one_summary_not_a_line_each()
    {
        var log = new RecordingLoggerFactory();
        using var meter = new RejectionMeter();
        var destination = new TestDestination(configure: o => o with
        {
            MaxPendingHandshakes = 8, MaxPendingHandshakesPerAddress = 4, MaxPendingHandshakesPerPrefix = 6, LoggerFactory = log,
        });
        var held = new HeldConnections();
        try
        {
            // 127.0.0.2 holds its 4 and 20 more are refused at once.
            await held.OpenAsync(destination.Service.Port, "127.0.0.2", 24);
            await held.ClosedAsync(20);
            // 127.0.0.3 fills the prefix 127.0.0.0/24 (6); 127.0.0.4 then displaces 127.0.0.2's oldest.
            await held.OpenAsync(destination.Service.Port, "127.0.0.3", 2);
            await held.OpenAsync(destination.Service.Port, "127.0.0.4", 1);
            await held.ClosedAsync(1);
            // 127.0.1.1 fills the total (8); 127.0.2.1 then displaces the busiest prefix's busiest address's oldest: 127.0.0.2 again.
            await held.OpenAsync(destination.Service.Port, "127.0.1.1", 2);
            await held.OpenAsync(destination.Service.Port, "127.0.2.1", 1);
            await held.ClosedAsync(1);
            Assert.Equal(Enumerable.Repeat(IPAddress.Parse("127.0.0.2"), 22), held.ClosedFrom);
        }
        finally
        {
            // Stopping the service writes the summary still counted.
            await destination.DisposeAsync();
            held.Dispose();
        }

        Assert.Equal(20, meter.Sum("address_limit"));
        Assert.Equal(2, meter.Sum("shed"));
        LoggedEvent summary = Assert.Single(log.Events, e => e.Id == ConnectionsTurnedAway);
        Assert.Equal(
            (22, 20, 0, 0, 2, "127.0.0.2", 22),
            ((int)summary.Fields["Count"]!, (int)summary.Fields["AddressLimit"]!, (int)summary.Fields["PrefixLimit"]!, (int)summary.Fields["Full"]!, (int)summary.Fields["Shed"]!,
                summary.Fields["TopAddress"]?.ToString(), (int)summary.Fields["TopCount"]!));
        // The 8 connections still held when the service stopped each end with a line; the 22 turned away have none of their own.
        Assert.True(log.Events.Count(e => e.Id == HandshakeFailed) <= 8, string.Join('\n', log.Events.Select(e => e.Message)));
        Assert.DoesNotContain(log.Events, e => e.Id == 2);
    }

    [Fact]
    public void The_summary_is_written_once_per_interval_with_the_counts_of_the_window()
    {
        var log = new RecordingLoggerFactory();
        var clock = new FakeTimeProvider();
        using var summary = new RejectionSummary(log.CreateLogger("test"), TimeSpan.FromSeconds(10), clock);
        for (int i = 0; i < 500; i++)
        {
            summary.Record(i % 5 == 0 ? ConnectionAdmission.Rejection.Shed : ConnectionAdmission.Rejection.AddressLimit, IPAddress.Parse(i % 2 == 0 ? "10.0.0.1" : "10.0.0.2"));
        }

        clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Empty(log.Events); // not before its interval
        clock.Advance(TimeSpan.FromSeconds(0.1));

        LoggedEvent line = Assert.Single(log.Events);
        Assert.Equal((500, 400, 100, "10.0.0.1", 250), ((int)line.Fields["Count"]!, (int)line.Fields["AddressLimit"]!, (int)line.Fields["Shed"]!, line.Fields["TopAddress"]!.ToString(), (int)line.Fields["TopCount"]!));
        summary.Record(ConnectionAdmission.Rejection.Full, IPAddress.Parse("10.0.0.3"));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, log.Events.Count); // a new window, a new line
    }

    public void Dispose() => File.Delete(_knownHosts);

    private static TimeSpan Median(List<TimeSpan> values) => values.Count == 0 ? TimeSpan.Zero : values.Order().ElementAt(values.Count / 2);

    /// <summary>Plain TCP connections from given local addresses, each watched until the service closes it.</summary>
    private sealed class HeldConnections : IDisposable
    {
        private readonly List<(Socket Socket, Task Closed)> _sockets = [];
        private readonly ConcurrentQueue<IPAddress> _closedFrom = new();
        private readonly SemaphoreSlim _closures = new(0);

        /// <summary>The local address of each connection the service closed, in the order they closed.</summary>
        public IEnumerable<IPAddress> ClosedFrom => _closedFrom;

        public async Task OpenAsync(int port, string from, int count)
        {
            for (int i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
                await socket.ConnectAsync(IPAddress.Loopback, port).WaitAsync(s_wait);
                _sockets.Add((socket, ReadUntilClosedAsync(socket, IPAddress.Parse(from))));
            }
        }

        /// <summary>Waits (bounded) until the service has closed <paramref name="count"/> more of them.</summary>
        public async Task ClosedAsync(int count)
        {
            for (int i = 0; i < count; i++)
            {
                Assert.True(await _closures.WaitAsync(s_wait), $"only {i} of {count} connections were closed within {s_wait.TotalSeconds} s");
            }
        }

        public void Dispose()
        {
            _sockets.ForEach(s => s.Socket.Dispose());
            _closures.Dispose();
        }

        private async Task ReadUntilClosedAsync(Socket socket, IPAddress from)
        {
            try
            {
                while (await socket.ReceiveAsync(new byte[16], SocketFlags.None) > 0)
                {
                }
            }
            catch (SocketException)
            {
                // reset: closed as well
            }
            catch (ObjectDisposedException)
            {
                return; // ours, at the end of the test
            }

            _closedFrom.Enqueue(from);
            _closures.Release();
        }
    }

    /// <summary>Sums kz.control.connections.rejected by its kz.reason tag while it lives.</summary>
    private sealed class RejectionMeter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _sums = new(StringComparer.Ordinal);

        public RejectionMeter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MigrationMetrics.MeterName && instrument.Name == "kz.control.connections.rejected")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "kz.reason")
                    {
                        _sums.AddOrUpdate((string)tag.Value!, value, (_, sum) => sum + value);
                    }
                }
            });
            _listener.Start();
        }

        public long Sum(string reason) => _sums.GetValueOrDefault(reason);

        public void Dispose() => _listener.Dispose();
    }
}
