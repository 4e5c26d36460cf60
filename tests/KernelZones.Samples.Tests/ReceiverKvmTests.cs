using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Kvm;
using KernelZones.Migration.Lifecycle;

namespace KernelZones.Samples.Tests;

/// <summary>ReceiverHost <c>--guest kvm</c>: received zones become KVM virtual machines, whose console goes to its log.</summary>
public sealed partial class ReceiverKvmTests
{
    [Fact]
    public async Task UnusableKvmDevice_RefusesToStart_WithOneErrorLine()
    {
        await using var hosts = new TwoHosts();
        string device = Path.Combine(hosts.Root, "no-kvm");

        var run = await SampleProcess.RunAsync(SamplePaths.ReceiverHost, ["--guest", "kvm", "--kvm-device", device, "--state-dir", hosts.ReceiverState]);

        Assert.Equal(1, run.ExitCode);
        string[] lines = run.Error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, run.Error);
        Assert.StartsWith("ReceiverHost: error: --guest kvm: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(device, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task KvmSourceInThisProcess_MigratesIntoTheReceiver_HeartbeatsContinueInItsLog()
    {
        (TwoHosts hosts, string password) = await KvmReceiverAsync("--guest", "kvm");
        await using var disposal = hosts;
        await hosts.Receiver.WaitForLineAsync(l => l.StartsWith("guests        KVM virtual machines on /dev/kvm", StringComparison.Ordinal), TwoHosts.Timeout);

        using KvmGuest guest = KvmGuest.Create(new KvmGuestOptions { MemorySize = 16L << 20 });
        var source = new ZoneHost();
        Zone zone = source.Configure(KvmZoneMigration.Describe(KernelZone("kz1", guest.Memory.Size), guest));
        zone.Install();
        zone.Boot();
        await guest.ConsoleLines.ReadAsync().AsTask().WaitAsync(TwoHosts.Timeout);
        var migration = new MigrationSource(source, new ControlClientOptions { KnownHostsPath = Path.Combine(hosts.Root, "known_hosts"), TrustOnFirstUse = true });

        MigrationResult result = await migration.MigrateAsync("kz1", guest, RemoteAddress.Parse($"root@127.0.0.1:{hosts.ControlPort}"), ControlCredential.FromPassword("root", password));

        Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
        Assert.Equal(ZoneState.Configured, zone.State);
        long lastOnSource = -1;
        while (guest.ConsoleLines.TryRead(out string? line))
        {
            lastOnSource = Sequence(line);
        }

        // The source guest stays suspended: its last heartbeat is final. The received guest goes on from there.
        string first = await ReceiverLineAsync(hosts, l => ConsoleHeartbeat().IsMatch(l));
        long firstHere = Sequence(first);
        Assert.True(firstHere > lastOnSource, $"the received guest's first heartbeat {firstHere} does not follow the source's last {lastOnSource}");
        string later = await ReceiverLineAsync(hosts, l => ConsoleHeartbeat().IsMatch(l) && Sequence(l) > firstHere);
        Assert.EndsWith(" ok", later, StringComparison.Ordinal);
        await ReceiverLineAsync(hosts, l => l.Contains("Zone 'kz1' is running on this host", StringComparison.Ordinal));

        hosts.Receiver.Terminate();
        Assert.Equal(0, await hosts.Receiver.WaitForExitAsync(TwoHosts.Timeout));
    }

    [Fact]
    public async Task SenderHostKvmZone_MigratesIntoReceiverHostKvm_BothAsProcesses()
    {
        (TwoHosts hosts, string password) = await KvmReceiverAsync("--guest", "kvm");
        await using var disposal = hosts;
        await hosts.CreateRunningZoneAsync("kz1", "64M", cpus: 1, "--guest", "kvm", "--workload", "8:4M");

        var migrate = await hosts.SenderAsync(["zoneadm", "-z", "kz1", "migrate", $"root@127.0.0.1:{hosts.ControlPort}"], new() { ["KZ_PASSWORD"] = password });

        Assert.True(migrate.ExitCode == 0, migrate.Output + "\n" + migrate.Error);
        Assert.Contains("zoneadm: zone 'kz1': Migration successful.", migrate.Output, StringComparison.Ordinal);
        long lastOnSource = migrate.Output.ReplaceLineEndings("\n").Split('\n')
            .Where(l => l.StartsWith("console: heartbeat ", StringComparison.Ordinal)).Select(Sequence).DefaultIfEmpty(-1).Max();
        Assert.True(lastOnSource >= 0, migrate.Output);
        string first = await ReceiverLineAsync(hosts, l => ConsoleHeartbeat().IsMatch(l));
        Assert.True(Sequence(first) > lastOnSource, $"the received guest's heartbeat {Sequence(first)} does not follow the source's last {lastOnSource}");
        Assert.EndsWith(" ok", first, StringComparison.Ordinal);
        var list = await hosts.SenderAsync(["zoneadm", "list", "-s"]);
        Assert.Contains("kz1              configured", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SenderHostKvmZone_IsRefusedByASimulatedReceiver_AndRunsOnTheSource()
    {
        (TwoHosts hosts, string password) = await KvmReceiverAsync();
        await using var disposal = hosts;
        await hosts.CreateRunningZoneAsync("kz1", "64M", cpus: 1, "--guest", "kvm");

        var migrate = await hosts.SenderAsync(["zoneadm", "-z", "kz1", "migrate", $"root@127.0.0.1:{hosts.ControlPort}"], new() { ["KZ_PASSWORD"] = password });

        Assert.True(migrate.ExitCode == 1, migrate.Output + "\n" + migrate.Error);
        string refusal = Assert.Single(migrate.Error.ReplaceLineEndings("\n").Split('\n'), l => l.Contains("error:", StringComparison.Ordinal));
        Assert.Contains("error: device state format differs: 'kvm-x86/1' on the source, 'simulated/1' on the destination", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain("Starting migration.", migrate.Output, StringComparison.Ordinal);
        var list = await hosts.SenderAsync(["zoneadm", "list", "-s"]);
        Assert.Contains("kz1              running", list.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(hosts.ReceiverState, "zones", "kz1.cfg")));
    }

    /// <summary>Where KVM is usable (else the test is skipped): a receiver started with <paramref name="options"/> and a user root with a fresh password.</summary>
    private static async Task<(TwoHosts Hosts, string Password)> KvmReceiverAsync(params string[] options)
    {
        if (KvmGuest.ProbeUnavailableReason() is { } unusable)
        {
            Assert.Skip($"KVM is not usable here: {unusable}");
        }

        var hosts = new TwoHosts();
        try
        {
            string password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
            await hosts.AddUserAsync("root", password);
            await hosts.StartReceiverAsync(options);
            return (hosts, password);
        }
        catch
        {
            await hosts.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for a receiver output line; a timeout fails with the receiver's output.</summary>
    private static async Task<string> ReceiverLineAsync(TwoHosts hosts, Func<string, bool> match)
    {
        try
        {
            return await hosts.Receiver.WaitForLineAsync(match, TwoHosts.Timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no such receiver line within {TwoHosts.Timeout.TotalSeconds} s:\n{hosts.Receiver.Output}\n{hosts.Receiver.Error}");
            throw;
        }
    }

    private static long Sequence(string line) =>
        long.Parse(HeartbeatSequence().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);

    private static ZoneConfiguration KernelZone(string name, long memoryBytes) =>
        new ZoneConfigurationBuilder(name)
            .SetProperty("brand", "solaris-kz")
            .AddResource("anet", ("id", "0"), ("lower-link", "auto"))
            .AddResource("device", ("storage", "nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}"), ("id", "0"), ("bootpri", "0"))
            .AddResource("virtual-cpu", ("ncpus", "1"))
            .AddResource("capped-memory", ("physical", new MemorySize(memoryBytes).ToString()))
            .Build();

    [GeneratedRegex(@"Zone 'kz1' console: heartbeat \d+ ")]
    private static partial Regex ConsoleHeartbeat();

    [GeneratedRegex(@"heartbeat (\d+) ")]
    private static partial Regex HeartbeatSequence();
}
