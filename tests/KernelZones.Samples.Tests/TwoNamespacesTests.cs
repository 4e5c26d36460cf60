using System.Diagnostics;
using System.Globalization;
using KernelZones.Migration.Kvm;

namespace KernelZones.Samples.Tests;

/// <summary>
/// Two hosts: runs <c>samples/two-hosts/run.sh</c> (two network namespaces joined by a veth pair) when this
/// machine lets it: root, <c>ip netns add</c> permitted, and <c>tc</c> installed. Otherwise the test is skipped and says why.
/// </summary>
public sealed class TwoNamespacesTests
{
    /// <summary>The script's exit status when it lacks privileges or tools.</summary>
    private const int ScriptSkipped = 77;

    [Fact]
    public async Task Script_MigratesAcrossNamespaces_UnderDelayLossSlowLinkAndCut_AndAKvmVirtualMachine()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "needs root to create network namespaces (run as root, as CI does)");
        Assert.SkipUnless(OnPath("ip") && OnPath("tc"), "needs iproute2's 'ip' and 'tc' on PATH (apt-get install iproute2)");
        string? refused = await NamespaceRefusedAsync();
        Assert.SkipWhen(refused is not null, $"'ip netns add' is not permitted here: {refused}");

        var (exitCode, output, error) = await RunAsync("bash", [SamplePaths.TwoHostsScript, SamplePaths.ReceiverHost, SamplePaths.SenderHost], TimeSpan.FromMinutes(3));
        TestContext.Current.TestOutputHelper?.WriteLine(output);

        Assert.SkipWhen(exitCode == ScriptSkipped, $"the script skipped: {error.Trim()}");
        Assert.True(exitCode == 0, $"run.sh exited {exitCode}\n{output}\n{error}");
        Assert.Contains("PASS clean", output, StringComparison.Ordinal);
        Assert.Contains("PASS slow", output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^PASS cut \((rolled back|in-doubt, reported)", output);
        Assert.Matches(@"(?m)^(PASS|SKIP) delay", output);
        Assert.Matches(@"(?m)^(PASS|SKIP) loss", output);
        Assert.Matches(KvmGuest.ProbeUnavailableReason() is null ? @"(?m)^PASS kvm \(" : @"(?m)^SKIP kvm", output);
        Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Script_CreatesTheSamplesExampleZone()
    {
        string script = File.ReadAllText(SamplePaths.TwoHostsScript);
        const string Start = "cat >\"$file\" <<EOF\n";
        int from = script.IndexOf(Start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"run.sh writes no zone file with: {Start}");
        from += Start.Length;
        string zoneFile = script[from..(script.IndexOf("\nEOF\n", from, StringComparison.Ordinal) + 1)];

        Assert.Equal(ExampleZone.Export("96M", 3), zoneFile.Replace("$cpus", "3", StringComparison.Ordinal).Replace("$memory", "96M", StringComparison.Ordinal));
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/sbin")
            .Any(directory => File.Exists(Path.Combine(directory, tool)));

    /// <summary>Adds and deletes a namespace; the error when that is refused, else <see langword="null"/>.</summary>
    private static async Task<string?> NamespaceRefusedAsync()
    {
        string name = "kz-probe-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var add = await RunAsync("ip", ["netns", "add", name], TimeSpan.FromSeconds(30));
        if (add.ExitCode != 0)
        {
            return add.Error.Trim();
        }

        await RunAsync("ip", ["netns", "del", name], TimeSpan.FromSeconds(30));
        return null;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            // SIGTERM first: the script's trap then deletes its namespaces; SIGKILL only if that does not end it.
            using (var terminate = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await terminate.WaitForExitAsync();
            }

            if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                process.Kill(entireProcessTree: true);
            }

            throw;
        }

        return (process.ExitCode, await output, await error);
    }
}
