using System.Net;
using System.Security.Cryptography;
using KernelZones.Testing.Faults;

namespace KernelZones.Samples.Tests;

/// <summary>
/// Process faults: the real programs over 127.0.0.1, one of them killed with SIGKILL (never a clean stop) at a
/// phase the test sees in the sender's step lines. Both sides run with a 5 s peer timeout, so every case ends in bounded time.
/// </summary>
public sealed class ProcessFaultTests
{
    private const string PeerTimeout = "5";
    private const string Zone = "kz1";

    /// <summary>The sender's output line at which the destination is killed, and the phase it marks.</summary>
    public static TheoryData<string, string> DestinationPhases => new()
    {
        { "import", "zoneadm: zone 'kz1': Importing zone configuration." },
        { "attached and booted migrating-in", "zoneadm: zone 'kz1': Checking migration compatibility." },
        { "round 0", "zoneadm: zone 'kz1': Starting migration." },
        { "a later round", "    round 0: " },
        { "suspended", "zoneadm: zone 'kz1': Suspending zone on source host." },
    };

    [Theory]
    [MemberData(nameof(DestinationPhases))]
    public async Task DestinationKilled_SenderFailsClearly_ZoneRunsOnSource(string phase, string line)
    {
        await using var hosts = await StartAsync();
        await using SampleProcess migrate = StartMigration(hosts, hosts.ControlPort);

        await migrate.WaitForLineAsync(l => l.StartsWith(line, StringComparison.Ordinal), TwoHosts.Timeout);
        await hosts.Receiver.KillAsync();
        int exitCode = await migrate.WaitForExitAsync(TwoHosts.Timeout);

        string sourceState = await SourceStateAsync(hosts);
        if (phase == "suspended" && exitCode == 0)
        {
            // A small zone can finish its switchover before the kill lands: then it was acknowledged and left here.
            Assert.Equal("configured", sourceState);
            return;
        }

        if (phase == "suspended" && exitCode == 3)
        {
            // The kill landed after the commit: the outcome must be reported in-doubt and the zone not resumed here.
            Assert.Equal("unavailable", sourceState);
            Assert.Contains("did not acknowledge the commit", migrate.Error, StringComparison.Ordinal);
            return;
        }

        Assert.True(exitCode == 1, $"{phase}: migrate exited {exitCode}\n{migrate.Output}\n{migrate.Error}");
        Assert.EndsWith("zoneadm: zone 'kz1': migrate failed.\n", migrate.Error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Matches(@"zoneadm: zone 'kz1': .*(connection|transfer|closed|reset|peer)", migrate.Error);
        Assert.Equal("running", sourceState);
    }

    [Fact]
    public async Task DestinationKilledAfterCommit_OutcomeInDoubt_ZoneRunsNowhereTwice()
    {
        await using var hosts = await StartAsync();
        var proxy = new FaultProxy(RecordFraming.Tls) { Target = new IPEndPoint(IPAddress.Loopback, hosts.ControlPort) };
        await using SampleProcess migrate = StartMigration(hosts, proxy.EndPoint.Port);
        try
        {
            await migrate.WaitForLineAsync(l => l == "zoneadm: zone 'kz1': Suspending zone on source host.", TwoHosts.Timeout);
            await HoldAnswerAsync(proxy, AnswerAfterSuspend.Commit);
            await hosts.Receiver.KillAsync();
        }
        finally
        {
            await proxy.DisposeAsync();
        }

        int exitCode = await migrate.WaitForExitAsync(TwoHosts.Timeout);

        Assert.True(exitCode == 3, $"migrate exited {exitCode}\n{migrate.Output}\n{migrate.Error}");
        Assert.Contains("did not acknowledge the commit", migrate.Error, StringComparison.Ordinal);
        Assert.Equal("unavailable", await SourceStateAsync(hosts));
        await hosts.StartReceiverAsync("--peer-timeout", PeerTimeout);
        Assert.Equal("configured", ReceiverState(hosts));
    }

    [Fact]
    public async Task SourceKilledAfterSuspend_DestinationDiscardsTheZone()
    {
        await using var hosts = await StartAsync();
        // The verification is held: the source is suspended and cannot commit when it is killed (a small zone would
        // otherwise often be committed before the kill lands).
        var proxy = new FaultProxy(RecordFraming.Tls) { Target = new IPEndPoint(IPAddress.Loopback, hosts.ControlPort) };
        await using SampleProcess migrate = StartMigration(hosts, proxy.EndPoint.Port);
        try
        {
            await migrate.WaitForLineAsync(l => l == "zoneadm: zone 'kz1': Suspending zone on source host.", TwoHosts.Timeout);
            await HoldAnswerAsync(proxy, AnswerAfterSuspend.Verification);
            await migrate.KillAsync();
        }
        finally
        {
            await proxy.DisposeAsync();
        }

        await ReceiverLineAsync(hosts, "Zone 'kz1': incoming migration discarded", TimeSpan.FromSeconds(20));
        // The status file is rewritten just after that line: the zone is on its way out (configured) or gone.
        Assert.True(ReceiverState(hosts) is null or "configured", $"the destination's status: '{ReceiverState(hosts)}'");
        Assert.DoesNotContain("is running on this host", hosts.Receiver.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestartedDestination_DoesNotResumeAHalfReceivedZone_AndTakesAFreshMigration()
    {
        await using var hosts = await StartAsync();
        await using (SampleProcess migrate = StartMigration(hosts, hosts.ControlPort))
        {
            await migrate.WaitForLineAsync(l => l.StartsWith("    round 0: ", StringComparison.Ordinal), TwoHosts.Timeout);
            await hosts.Receiver.KillAsync();
            Assert.Equal(1, await migrate.WaitForExitAsync(TwoHosts.Timeout));
        }

        await hosts.StartReceiverAsync("--peer-timeout", PeerTimeout);
        Assert.True(ReceiverState(hosts) is null or "configured", $"after the restart: '{ReceiverState(hosts)}'");
        Assert.False(File.Exists(Path.Combine(hosts.ReceiverState, "zones", "kz1.cfg")), "a half-received zone was saved");

        await using SampleProcess again = StartMigration(hosts, hosts.ControlPort);
        int exitCode = await again.WaitForExitAsync(TwoHosts.Timeout);

        Assert.True(exitCode == 0, $"migrate exited {exitCode}\n{again.Output}\n{again.Error}");
        Assert.Equal("configured", await SourceStateAsync(hosts));
        await ReceiverLineAsync(hosts, "Zone 'kz1' is running on this host", TwoHosts.Timeout);
        Assert.Equal("running", ReceiverState(hosts));
    }

    [Fact]
    public async Task A_full_disk_on_the_destination_refuses_the_commit_and_the_zone_keeps_running_on_the_source()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && Environment.UserName == "root", "mounting a tiny tmpfs needs root on Linux");
        await using var hosts = await StartAsync();
        string zones = Path.Combine(hosts.ReceiverState, "zones");
        var (mounted, why) = await RunAsync("mount", "-t", "tmpfs", "-o", "size=64k", "kz-full", zones);
        Assert.SkipUnless(mounted, $"cannot mount a tmpfs here: {why}");
        try
        {
            try
            {
                File.WriteAllBytes(Path.Combine(zones, "filler"), new byte[128 << 10]);
            }
            catch (IOException)
            {
                // Full, as intended.
            }

            await using SampleProcess migrate = StartMigration(hosts, hosts.ControlPort);
            int exitCode = await migrate.WaitForExitAsync(TwoHosts.Timeout);

            Assert.True(exitCode == 1, $"migrate exited {exitCode}\n{migrate.Output}\n{migrate.Error}");
            Assert.Contains("cannot make the zone durable", migrate.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("Migration successful", migrate.Output, StringComparison.Ordinal);
            Assert.Equal("running", await SourceStateAsync(hosts));
            await ReceiverLineAsync(hosts, "Zone 'kz1': incoming migration discarded", TwoHosts.Timeout);
            Assert.Null(ReceiverState(hosts));
            Assert.False(File.Exists(Path.Combine(zones, "kz1.cfg")));
        }
        finally
        {
            await RunAsync("umount", "-l", zones);
        }
    }

    [Fact]
    public async Task Destination_killed_right_after_saving_the_zone_finds_it_after_a_restart()
    {
        await using var hosts = await StartAsync();
        await using SampleProcess migrate = StartMigration(hosts, hosts.ControlPort);

        await ReceiverLineAsync(hosts, "Zone 'kz1' saved to ", TwoHosts.Timeout);
        await hosts.Receiver.KillAsync();
        int exitCode = await migrate.WaitForExitAsync(TwoHosts.Timeout);

        // The kill lands before the commit (the source keeps the zone: 1), during it (in doubt: 3) or after the
        // acknowledgement (0): whichever, the destination has the zone on disk.
        Assert.True(exitCode is 0 or 1 or 3, $"migrate exited {exitCode}\n{migrate.Output}\n{migrate.Error}");
        Assert.Equal(exitCode switch { 0 => "configured", 1 => "running", _ => "unavailable" }, await SourceStateAsync(hosts));
        Assert.StartsWith("running", ReceiverState(hosts), StringComparison.Ordinal); // what the killed receiver last wrote
        await hosts.StartReceiverAsync("--peer-timeout", PeerTimeout);
        Assert.Equal("configured", ReceiverState(hosts)); // the stale 'running migrating-in' is gone, the zone is there
        await ReceiverLineAsync(hosts, "Zone 'kz1' configured from ", TwoHosts.Timeout);
    }

    private static async Task<(bool Succeeded, string Output)> RunAsync(string program, params string[] args)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            string error = await process.StandardError.ReadToEndAsync().WaitAsync(TwoHosts.Timeout);
            await process.WaitForExitAsync().WaitAsync(TwoHosts.Timeout);
            return (process.ExitCode == 0, error.Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (false, e.Message);
        }
    }

    /// <summary>Waits for a receiver log line; a timeout fails with the receiver's output.</summary>
    private static async Task ReceiverLineAsync(TwoHosts hosts, string text, TimeSpan timeout)
    {
        try
        {
            await hosts.Receiver.WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal), timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no receiver line with \"{text}\" within {timeout.TotalSeconds} s:\n{hosts.Receiver.Output}\n{hosts.Receiver.Error}");
        }
    }

    private static async Task<TwoHosts> StartAsync()
    {
        var hosts = new TwoHosts();
        try
        {
            await hosts.AddUserAsync("root", Password(hosts));
            await hosts.StartReceiverAsync("--peer-timeout", PeerTimeout);
            await hosts.CreateRunningZoneAsync(Zone, "64M");
            return hosts;
        }
        catch
        {
            await hosts.DisposeAsync();
            throw;
        }
    }

    /// <summary>A password per test run, kept beside the hosts' files.</summary>
    private static string Password(TwoHosts hosts)
    {
        string file = Path.Combine(hosts.Root, "password");
        if (!File.Exists(file))
        {
            File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)) + "\n");
        }

        return File.ReadAllText(file).Trim();
    }

    /// <summary>The destination's answers left once the source is suspended, in order.</summary>
    private enum AnswerAfterSuspend
    {
        Verification = 1,
        Commit = 2,
    }

    /// <summary>
    /// Stalls the control connection (both ways, both sides left open) at the destination's <paramref name="answer"/>
    /// and returns once that answer reached the proxy and was held: with the commit's, the destination has committed
    /// and the source has no acknowledgement; with the verification's, the source can never commit. Each answer is one
    /// TLS record.
    /// </summary>
    private static Task HoldAnswerAsync(FaultProxy proxy, AnswerAfterSuspend answer)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        proxy.Arm(new FaultPlan { Kind = FaultKind.Stall, Direction = FlowDirection.Downstream, Skip = (int)answer - 1, OnFired = () => held.TrySetResult() });
        return held.Task.WaitAsync(TwoHosts.Timeout);
    }

    /// <summary>Starts the migration with a workload (so that there are later rounds) and the short peer timeout.</summary>
    private static SampleProcess StartMigration(TwoHosts hosts, int port) =>
        hosts.StartSender(
            ["zoneadm", "-z", Zone, "migrate", "--peer-timeout", PeerTimeout, "--workload", "64:16M", $"root@127.0.0.1:{port}"],
            new() { ["KZ_PASSWORD"] = Password(hosts) });

    /// <summary>The zone's status (and auxiliary state) in the sender's <c>zoneadm list -s</c>.</summary>
    private static async Task<string> SourceStateAsync(TwoHosts hosts)
    {
        var list = await hosts.SenderAsync(["zoneadm", "list", "-s"]);
        Assert.Equal(0, list.ExitCode);
        return StateIn(list.Output) ?? throw new InvalidOperationException($"zone kz1 is not listed on the source:\n{list.Output}");
    }

    /// <summary>The zone's status in the receiver's status file; <see langword="null"/> when not listed.</summary>
    private static string? ReceiverState(TwoHosts hosts)
    {
        string file = Path.Combine(hosts.ReceiverState, "status");
        return File.Exists(file) ? StateIn(File.ReadAllText(file)) : null;
    }

    private static string? StateIn(string listing) =>
        listing.ReplaceLineEndings("\n").Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(fields => fields is [Zone, ..]) is { } zone ? string.Join(' ', zone[1..]) : null;
}
