using System.Globalization;
using System.Text.RegularExpressions;

namespace KernelZones.Samples.Tests;

/// <summary>
/// A receiver host on 127.0.0.1 (free ports, a temporary state directory) and a sender state directory, both
/// removed at dispose together with every process started.
/// </summary>
internal sealed partial class TwoHosts : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("kz-samples-");
    private SampleProcess? _receiver;

    public string ReceiverState => Path.Combine(_root.FullName, "receiver");

    public string SenderState => Path.Combine(_root.FullName, "sender");

    public string Root => _root.FullName;

    public SampleProcess Receiver => _receiver ?? throw new InvalidOperationException("the receiver is not started");

    public int ControlPort { get; private set; }

    /// <summary>Runs <c>ReceiverHost adduser</c> with the password (if any) on standard input.</summary>
    public async Task AddUserAsync(string user, string? password, params string[] options)
    {
        string[] args = ["adduser", user, "--state-dir", ReceiverState, .. options];
        var (exitCode, output, error) = await SampleProcess.RunAsync(SamplePaths.ReceiverHost, args, input: password is null ? null : password + "\n");
        Assert.True(exitCode == 0, $"adduser exited {exitCode}: {output}\n{error}");
    }

    /// <summary>Starts the receiver (again, on the same state directory, after an earlier one ended) and waits for the port its control service listens on.</summary>
    public Task StartReceiverAsync(params string[] options) => StartReceiverAsync(options, environment: null);

    /// <summary>Starts the receiver as <see cref="StartReceiverAsync(string[])"/> does, with more environment variables.</summary>
    public async Task StartReceiverAsync(string[] options, IReadOnlyDictionary<string, string>? environment)
    {
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }

        _receiver = SampleProcess.Start(SamplePaths.ReceiverHost, ["--address", "127.0.0.1", "--control-port", "0", "--data-port", "0", .. options],
            new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["KZ_STATE_DIR"] = ReceiverState });
        string line;
        try
        {
            line = await _receiver.WaitForLineAsync(l => ListeningLine().IsMatch(l), Timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the receiver did not listen within {Timeout.TotalSeconds} s:\n{_receiver.Output}\n{_receiver.Error}");
            throw;
        }

        ControlPort = int.Parse(ListeningLine().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Runs SenderHost with this sender's state directory (through KZ_STATE_DIR).</summary>
    public Task<(int ExitCode, string Output, string Error)> SenderAsync(string[] args, Dictionary<string, string>? environment = null)
    {
        environment ??= [];
        environment["KZ_STATE_DIR"] = SenderState;
        return SampleProcess.RunAsync(SamplePaths.SenderHost, args, environment);
    }

    /// <summary>Starts SenderHost with this sender's state directory and returns at once, for watching its step lines.</summary>
    public SampleProcess StartSender(string[] args, Dictionary<string, string>? environment = null)
    {
        environment ??= [];
        environment["KZ_STATE_DIR"] = SenderState;
        return SampleProcess.Start(SamplePaths.SenderHost, args, environment);
    }

    /// <summary>Writes a zone export file for a small live-migratable zone and returns its path.</summary>
    public string WriteZoneFile(string memory, int cpus = 2)
    {
        string path = Path.Combine(Root, "zone.cfg");
        File.WriteAllText(path, ZoneFile(memory, cpus));
        return path;
    }

    /// <summary>Creates zone <paramref name="zone"/> on the sender from <see cref="ZoneFile"/> and boots it with <paramref name="bootOptions"/>.</summary>
    public async Task CreateRunningZoneAsync(string zone, string memory, int cpus = 2, params string[] bootOptions)
    {
        var create = await SenderAsync(["zonecfg", "-z", zone, "-f", WriteZoneFile(memory, cpus)]);
        Assert.True(create.ExitCode == 0, create.Error);
        var boot = await SenderAsync(["zoneadm", "-z", zone, "boot", .. bootOptions]);
        Assert.True(boot.ExitCode == 0, boot.Error);
    }

    /// <summary>The <c>zonecfg export</c> text of the samples' example kernel zone with <paramref name="memory"/> (e.g. 64M) and <paramref name="cpus"/> vCPUs.</summary>
    public static string ZoneFile(string memory, int cpus = 2) => ExampleZone.Export(memory, cpus);

    /// <summary>The nine step messages <c>zoneadm migrate</c> prints for <paramref name="zone"/> in a successful migration, in order.</summary>
    public static string[] MigrationSteps(string zone) =>
    [
        .. new[]
        {
            "Importing zone configuration.", "Attaching zone.", "Booting zone in 'migrating-in' mode.", "Checking migration compatibility.",
            "Starting migration.", "Suspending zone on source host.", "Waiting for migration to complete.", "Migration successful.",
            "Halting and detaching zone on source host.",
        }.Select(step => $"zoneadm: zone '{zone}': {step}"),
    ];

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_receiver is not null)
            {
                await _receiver.DisposeAsync();
            }
        }
        finally
        {
            _root.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"^rad:remote\s+listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
