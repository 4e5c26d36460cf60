using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation;
using KernelZones.Migration.Transport.Striping;
using KernelZones.Migration.Tests.Reliability;

// Every await here is bounded by WaitAsync or a deadline; the test token adds nothing.
#pragma warning disable xUnit1051

namespace KernelZones.Migration.Tests.Hostile;

/// <summary>
/// 1,000 connections to each of the data and control ports that never finish their handshake, opened while a migration
/// is in its pre-copy: the services keep at most their documented number pending (StripeOptions.MaxPendingHandshakes,
/// ControlServiceOptions.MaxPendingHandshakes, fewer on the control port when they come from one address) and close the
/// rest at once, memory stays bounded, and the migration completes with the zone's memory intact. ControlFloodTests
/// floods the control port from several addresses while migrations go through.
/// </summary>
[Collection(ProcessWideMeasurements.Name)]
public sealed class FloodTests : IDisposable
{
    private const int FloodPerPort = 1000;

    // ControlServiceOptions.MaxPendingHandshakes's documented default ("more are closed at once").
    private const int ControlCap = 64;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(120);
    private readonly string _knownHosts = Path.GetTempFileName();

    [Fact]
    public async Task Unfinished_handshakes_on_both_ports_are_shed_by_the_caps_while_a_migration_completes()
    {
        await using var source = new TestHost("kz-src", _knownHosts);
        await using var destination = new TestHost("kz-dst", _knownHosts, PatientHandshakes);
        InMemoryGuest guest = source.AddZone("web1", 64L << 20);
        guest.FillRandom(0, 48L << 20, seed: 40);
        using var workload = new GuestWorkload(guest, new GuestWorkloadOptions { DirtyMiBPerSecond = 16, WorkingSetBytes = 8L << 20 });
        workload.Start();
        var paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new MigrationOptions
        {
            // The first round's report holds pre-copy (control and data connections open, stripes idle) until the flood is over.
            Progress = new BlockingProgress(p => p.Round is not null, paused, resume.Task, s_wait),
        };
        Task<MigrationResult> migration = source.MigrateAsync("web1", destination, options);
        await paused.Task.WaitAsync(s_wait);
        var memory = MemoryFootprint.Measure();

        int wave = Math.Min(500, OpenFileLimit() / 8);
        var data = FloodAsync(destination.Destination.DataPort, wave, StripeOptions.Default.MaxPendingHandshakes, PartialStripeHello);
        var control = FloodAsync(destination.Destination.ControlPort, wave, ControlCap, PartialTlsHello);
        FloodReport[] reports = await Task.WhenAll(data, control).WaitAsync(s_wait);
        var peak = reports.Select(r => r.Peak).Aggregate(MemoryFootprint.Max);
        resume.SetResult();
        foreach (FloodReport report in reports)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"port {report.Port}: {report.Connections} connections, {report.Shed} shed at once, at most {report.MostHeld} held pending");
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"before the flood: {memory}; peak during it: {peak}");

        MigrationResult result = await migration.WaitAsync(s_wait);
        Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
        Assert.Equal(PageDigest.Compute(guest.Memory), PageDigest.Compute(source.HandOver("web1", destination).Memory));
        foreach (var (report, cap) in reports.Zip([StripeOptions.Default.MaxPendingHandshakes, ControlCap]))
        {
            Assert.Equal(FloodPerPort, report.Connections);
            Assert.True(report.MostHeld <= cap, $"{report.MostHeld} connections were held pending on port {report.Port}; the cap is {cap}");
            Assert.True(report.Shed >= FloodPerPort - (FloodPerPort / wave * cap), $"only {report.Shed} of {FloodPerPort} were shed on port {report.Port}");
        }

        foreach (var report in reports)
        {
            string port = report.Port == destination.Destination.DataPort ? "data port" : "control port";
            ReliabilityReport.RecordFigure("Floods", $"{port}: unfinished handshakes opened during a migration", report.Connections.ToString(CultureInfo.InvariantCulture));
            ReliabilityReport.RecordFigure("Floods", $"{port}: shed by the pending-handshake cap", report.Shed.ToString(CultureInfo.InvariantCulture));
            ReliabilityReport.RecordFigure("Floods", $"{port}: most held pending at once", report.MostHeld.ToString(CultureInfo.InvariantCulture));
        }

        ReliabilityReport.RecordFigure("Floods", "managed heap growth at the peak (MiB)", ((peak.ManagedBytes - memory.ManagedBytes) >> 20).ToString(CultureInfo.InvariantCulture));
        ReliabilityReport.RecordFigure("Floods", "migration under the flood", $"{result.Outcome}, memory equal");
        Assert.True(peak.ManagedBytes - memory.ManagedBytes < 64L << 20, $"managed heap grew by {(peak.ManagedBytes - memory.ManagedBytes) >> 20} MiB during the flood");
        Assert.True(peak.WorkingSetBytes - memory.WorkingSetBytes < 256L << 20, $"working set grew by {(peak.WorkingSetBytes - memory.WorkingSetBytes) >> 20} MiB during the flood");
    }

    [Fact]
    public async Task A_migration_started_while_both_ports_are_full_of_silent_connections_gets_through()
    {
        await using var source = new TestHost("kz-src", _knownHosts);
        await using var destination = new TestHost("kz-dst", _knownHosts, PatientHandshakes);
        InMemoryGuest guest = source.AddZone("web1", 32L << 20);
        guest.FillRandom(0, 24L << 20, seed: 41);
        var silent = new List<Socket>();
        try
        {
            // Every pending-handshake slot of both services is taken by a connection that says nothing: on the control port
            // from four other addresses in two other /24s (one address may hold only a quarter of the slots, one /24 half).
            string[] controlFrom = ["127.0.1.1", "127.0.1.2", "127.0.2.1", "127.0.2.2"];
            foreach (var (port, count, from) in new[] { (destination.Destination.DataPort, StripeOptions.Default.MaxPendingHandshakes, new[] { "127.0.0.1" }), (destination.Destination.ControlPort, ControlCap, controlFrom) })
            {
                for (int i = 0; i < count; i++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    silent.Add(socket);
                    socket.Bind(new IPEndPoint(IPAddress.Parse(from[i % from.Length]), 0));
                    await socket.ConnectAsync(IPAddress.Loopback, port).WaitAsync(s_wait);
                }
            }

            MigrationResult result = await source.MigrateAsync("web1", destination).WaitAsync(s_wait);

            Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
            Assert.Equal(PageDigest.Compute(guest.Memory), PageDigest.Compute(source.HandOver("web1", destination).Memory));
            // The migration's connections (one control, its stripes) each closed the oldest silent one, and only that:
            // the services still hold every other silent connection in its handshake.
            int closed = await CountClosedAsync(silent, expected: 1 + result.Stripes);
            Assert.Equal(1 + result.Stripes, closed);
            Assert.Equal(StripeOptions.Default.MaxPendingHandshakes - result.Stripes, destination.Destination.DataHandshakesInProgress);
            Assert.Equal(ControlCap - 1, destination.Destination.ControlHandshakesInProgress);
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
        }
    }

    public void Dispose() => File.Delete(_knownHosts);

    /// <summary>
    /// Opens <see cref="FloodPerPort"/> connections in waves of <paramref name="wave"/> (keeping well inside the open-file
    /// limit), each sending only the start of a handshake, and counts how many the service closed at once and how many it held.
    /// </summary>
    private static async Task<FloodReport> FloodAsync(int port, int wave, int cap, byte[] partial)
    {
        int shed = 0, mostHeld = 0, opened = 0;
        var peak = MemoryFootprint.Measure(collect: false);
        while (opened < FloodPerPort)
        {
            int count = Math.Min(wave, FloodPerPort - opened);
            var sockets = new List<Socket>(count);
            try
            {
                for (int i = 0; i < count; i++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    sockets.Add(socket);
                    await socket.ConnectAsync(IPAddress.Loopback, port).WaitAsync(s_wait);
                    if (i % 2 == 1)
                    {
                        await SendIgnoringResetAsync(socket, partial);
                    }
                }

                opened += count;
                peak = MemoryFootprint.Max(peak, MemoryFootprint.Measure(collect: false));
                int closed = await CountClosedAsync(sockets, expected: count - cap);
                shed += closed;
                mostHeld = Math.Max(mostHeld, count - closed);
            }
            finally
            {
                sockets.ForEach(s => s.Dispose());
            }
        }

        return new FloodReport(port, opened, shed, mostHeld, peak);
    }

    /// <summary>
    /// Waits (bounded) until at least <paramref name="expected"/> of the sockets were closed by the service; returns how many
    /// were. That no more are closed later is not waited for here: the services' handshake counts say what they still hold.
    /// </summary>
    private static async Task<int> CountClosedAsync(List<Socket> sockets, int expected)
    {
        var reads = sockets.Select(s => ReadUntilClosedAsync(s)).ToArray();
        var deadline = Stopwatch.StartNew();
        while (reads.Count(r => r.IsCompleted) < expected && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.WhenAny(Task.WhenAll(reads), Task.Delay(50));
        }

        return reads.Count(r => r.IsCompleted);
    }

    private static async Task ReadUntilClosedAsync(Socket socket)
    {
        try
        {
            while (await socket.ReceiveAsync(new byte[64], SocketFlags.None) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // reset or closed by us: either way it is no longer pending
        }
    }

    private static async Task SendIgnoringResetAsync(Socket socket, byte[] bytes)
    {
        try
        {
            await socket.SendAsync(bytes, SocketFlags.None).WaitAsync(s_wait);
        }
        catch (SocketException)
        {
            // already shed by the service
        }
    }

    /// <summary>The soft limit on open files, from /proc (1024 when unreadable).</summary>
    private static int OpenFileLimit()
    {
        string? line = File.Exists("/proc/self/limits") ? File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal)) : null;
        string[] fields = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return fields.Length > 3 && int.TryParse(fields[3], out int limit) ? limit : 1024;
    }

    // "KZMS", version 1, then nothing: a stripe hello that never finishes.
    private static readonly byte[] PartialStripeHello = [(byte)'K', (byte)'Z', (byte)'M', (byte)'S', 0, 1, 0, 0];

    // A TLS handshake record header announcing 512 bytes of ClientHello that never come.
    private static readonly byte[] PartialTlsHello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03];

    private sealed record FloodReport(int Port, int Connections, int Shed, int MostHeld, MemoryFootprint Peak);

    private sealed class BlockingProgress(Func<MigrationProgress, bool> when, TaskCompletionSource paused, Task resume, TimeSpan bound) : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value)
        {
            if (when(value) && paused.TrySetResult())
            {
                // Progress is reported synchronously from the pre-copy loop: blocking here holds the migration mid-transfer.
                resume.Wait(bound);
            }
        }
    }

    /// <summary>Long handshake timeouts on both ports: whatever a flood connection sees within a test is the cap at work, not the timer.</summary>
    private static MigrationDestinationOptions PatientHandshakes(MigrationDestinationOptions options) => new()
    {
        Control = options.Control with { HandshakeTimeout = TimeSpan.FromSeconds(60) },
        DataEndPoint = options.DataEndPoint,
        CreateGuest = options.CreateGuest,
        Capabilities = options.Capabilities,
        Transport = new StripeOptions { HandshakeTimeout = TimeSpan.FromSeconds(60) },
    };
}
