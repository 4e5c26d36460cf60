using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace KernelZones.Samples.Tests;

/// <summary>ReceiverHost as a service: its command line, its settings file, systemd's readiness protocol and its Prometheus endpoint.</summary>
public sealed partial class ReceiverServiceTests
{
    [Fact]
    public async Task CommandLine_HelpListsEveryOptionWithItsVariable_UsageErrorsExit2()
    {
        var help = await SampleProcess.RunAsync(SamplePaths.ReceiverHost, ["--help"]);
        Assert.Equal(0, help.ExitCode);
        foreach (string option in new[] { "--state-dir", "--control-port", "--data-port", "--users", "--peer-timeout", "--guest", "--metrics-port", "--otlp-endpoint" })
        {
            Assert.Contains(option, help.Output, StringComparison.Ordinal);
        }

        Assert.Contains("[KZ_USERS_FILE]", help.Output, StringComparison.Ordinal);
        Assert.Contains("adduser <name>", help.Output, StringComparison.Ordinal);

        var unknown = await SampleProcess.RunAsync(SamplePaths.ReceiverHost, ["--no-such-option"]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("ReceiverHost: ", unknown.Error, StringComparison.Ordinal);

        var badPort = await SampleProcess.RunAsync(SamplePaths.ReceiverHost, ["run"], new Dictionary<string, string> { ["KZ_CONTROL_PORT"] = "70000" });
        Assert.Equal(2, badPort.ExitCode);
        Assert.Equal("ReceiverHost: --control-port (KZ_CONTROL_PORT): '70000' is not a number from 0 to 65535\n", badPort.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task SettingsFile_InTheStateDirectory_SetsWhatNeitherCommandLineNorEnvironmentSets()
    {
        await using var hosts = new TwoHosts();
        await hosts.AddUserAsync("root", "a password");
        File.WriteAllText(Path.Combine(hosts.ReceiverState, "receiver.json"), """{ "address": "127.0.0.1", "CONTROL_PORT": 0, "data_port": 0, "PEER_TIMEOUT": "not a number" }""");

        // The environment is above the file: its peer timeout is the one read.
        await using SampleProcess receiver = SampleProcess.Start(SamplePaths.ReceiverHost, [],
            new Dictionary<string, string> { ["KZ_STATE_DIR"] = hosts.ReceiverState, ["KZ_PEER_TIMEOUT"] = "7" });

        await receiver.WaitForLineAsync(l => Regex.IsMatch(l, @"^kz-migr\s+listening on 127\.0\.0\.1:\d+$"), TwoHosts.Timeout);
        receiver.Terminate();
        Assert.Equal(0, await receiver.WaitForExitAsync(TwoHosts.Timeout));

        var missing = await SampleProcess.RunAsync(SamplePaths.ReceiverHost, ["--settings", Path.Combine(hosts.Root, "absent.json"), "--state-dir", hosts.ReceiverState]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("absent.json", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortInUse_ExitsOne_WithOneErrorLine()
    {
        await using var hosts = new TwoHosts();
        await hosts.AddUserAsync("root", "a password");
        using var taken = new TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var run = await SampleProcess.RunAsync(SamplePaths.ReceiverHost,
            ["--state-dir", hosts.ReceiverState, "--address", "127.0.0.1", "--control-port", "0", "--data-port", port.ToString(CultureInfo.InvariantCulture)]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"ReceiverHost: error: The data service cannot listen on 127.0.0.1:{port}: Address already in use\n", run.Error.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnderSystemd_ReadyOnlyOnceBothPortsAccept_StoppingOnSigterm_ExitsZero()
    {
        await using var hosts = new TwoHosts();
        await hosts.AddUserAsync("root", "a password");
        string socketPath = Path.Combine(hosts.Root, "notify");
        using var notifications = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notifications.Bind(new UnixDomainSocketEndPoint(socketPath));

        await using SampleProcess receiver = SampleProcess.Start(SamplePaths.ReceiverHost, ["--address", "127.0.0.1", "--control-port", "0", "--data-port", "0"],
            new Dictionary<string, string> { ["KZ_STATE_DIR"] = hosts.ReceiverState, ["NOTIFY_SOCKET"] = socketPath });

        Assert.Equal("READY=1", await ReceiveAsync(notifications, receiver));
        // The listeners were bound before READY=1 (the status lines that name their ports come before it): both accept now.
        int controlPort = Port(await receiver.WaitForLineAsync(l => l.StartsWith("rad:remote ", StringComparison.Ordinal), TwoHosts.Timeout));
        int dataPort = Port(await receiver.WaitForLineAsync(l => l.StartsWith("kz-migr ", StringComparison.Ordinal), TwoHosts.Timeout));
        foreach (int port in new[] { controlPort, dataPort })
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port).WaitAsync(TwoHosts.Timeout);
            Assert.True(client.Connected, $"port {port} did not accept a connection after READY=1");
        }

        receiver.Terminate();
        Assert.Equal("STOPPING=1", await ReceiveAsync(notifications, receiver));
        Assert.Equal(0, await receiver.WaitForExitAsync(TwoHosts.Timeout));
        Assert.Contains("Stopped", receiver.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_PrometheusEndpoint_ScrapedDuringAndAfterAMigration_CountersMove()
    {
        await using var hosts = new TwoHosts();
        string password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
        await hosts.AddUserAsync("root", password);
        await hosts.StartReceiverAsync("--metrics", "--metrics-port", "0");
        string line = await hosts.Receiver.WaitForLineAsync(l => l.StartsWith("metrics ", StringComparison.Ordinal), TwoHosts.Timeout);
        var scrape = new Uri(ScrapeUrl().Match(line).Value);
        using var http = new HttpClient { Timeout = TwoHosts.Timeout };
        string before = await http.GetStringAsync(scrape);
        await hosts.CreateRunningZoneAsync("kz1", "256M");

        // Scraped while the migration runs (once its memory transfer starts), then after it.
        await using SampleProcess migrate = hosts.StartSender(["zoneadm", "-z", "kz1", "migrate", $"root@127.0.0.1:{hosts.ControlPort}"], new() { ["KZ_PASSWORD"] = password });
        await migrate.WaitForLineAsync(l => l.EndsWith("Starting migration.", StringComparison.Ordinal), TwoHosts.Timeout);
        string during = await http.GetStringAsync(scrape);
        Assert.True(Sum(during, "kz_migration_started_total", "kz_side=\"destination\"") > Sum(before, "kz_migration_started_total", "kz_side=\"destination\""), during);
        Assert.True(await migrate.WaitForExitAsync(TwoHosts.Timeout) == 0, migrate.Output + "\n" + migrate.Error);
        string after = await http.GetStringAsync(scrape);

        Assert.Contains("target_info{service_name=\"kz-receiver\"", after, StringComparison.Ordinal);
        foreach ((string series, string labels) in new[]
        {
            ("kz_migration_started_total", "kz_side=\"destination\""),
            ("kz_migration_completed_total", "kz_outcome=\"succeeded\""),
            ("kz_transport_bytes_total", "direction=\"receive\""),
            ("kz_transport_records_total", "direction=\"receive\""),
        })
        {
            double was = Sum(before, series, labels);
            double now = Sum(after, series, labels);
            Assert.True(now > was, $"{series}{{{labels}}}: {was} before the migration, {now} after:\n{after}");
        }
    }

    [Fact]
    public async Task Otlp_MetricsAndTracesOfAMigration_ReachTheCollector()
    {
        await using var collector = new OtlpCollector();
        await using var hosts = new TwoHosts();
        string password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
        await hosts.AddUserAsync("root", password);
        // OTLP over HTTP (protobuf) for the test's collector; the exporter's own variables apply as they do for any collector.
        await hosts.StartReceiverAsync(["--otlp-endpoint", collector.Endpoint], new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" });
        await hosts.CreateRunningZoneAsync("kz1", "64M");

        var migrate = await hosts.SenderAsync(["zoneadm", "-z", "kz1", "migrate", $"root@127.0.0.1:{hosts.ControlPort}"], new() { ["KZ_PASSWORD"] = password });
        Assert.True(migrate.ExitCode == 0, migrate.Output + "\n" + migrate.Error);
        hosts.Receiver.Terminate(); // a clean stop exports what is pending
        Assert.Equal(0, await hosts.Receiver.WaitForExitAsync(TwoHosts.Timeout));

        // Protobuf carries names as plain UTF-8: the engine's spans and the transport's counter are there by name.
        Assert.Contains("kz.migration.switchover", collector.Received("/v1/traces"), StringComparison.Ordinal);
        Assert.Contains("kz.transport.bytes", collector.Received("/v1/metrics"), StringComparison.Ordinal);
        Assert.Contains("kz-receiver", collector.Received("/v1/metrics"), StringComparison.Ordinal);
    }

    /// <summary>The sum of a series' samples whose labels include <paramref name="label"/>; 0 when there is none yet.</summary>
    private static double Sum(string exposition, string series, string label) =>
        exposition.ReplaceLineEndings("\n").Split('\n')
            .Where(l => l.StartsWith(series + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    private static int Port(string listeningLine) => int.Parse(ListeningPort().Match(listeningLine).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>The next datagram on the notify socket; a timeout fails with the receiver's output.</summary>
    private static async Task<string> ReceiveAsync(Socket notifications, SampleProcess receiver)
    {
        byte[] buffer = new byte[4096];
        try
        {
            int length = await notifications.ReceiveAsync(buffer).WaitAsync(TwoHosts.Timeout);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no notification within {TwoHosts.Timeout.TotalSeconds} s:\n{receiver.Output}\n{receiver.Error}");
            throw;
        }
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningPort();

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/metrics")]
    private static partial Regex ScrapeUrl();
}
