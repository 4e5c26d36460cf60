using System.Globalization;
using System.Text.RegularExpressions;
using KernelZones.Migration.Kvm;

namespace KernelZones.Samples.Tests;

/// <summary>
/// The README's first command: the one-process demo migrates the example zone mig1 and says so, as the README promises:
/// on a KVM virtual machine where /dev/kvm is usable (its heartbeats continue on the destination), else, or with
/// <c>--guest sim</c>, on the simulated guest (its memory compared byte for byte).
/// </summary>
public sealed partial class DemoTests
{
    [Fact]
    public async Task The_demo_migrates_mig1_on_a_KVM_virtual_machine_where_KVM_is_usable_and_its_heartbeats_continue_on_the_destination()
    {
        string? unusable = KvmGuest.ProbeUnavailableReason();
        var demo = await SampleProcess.RunAsync(SamplePaths.Demo, ["--memory", "128M"]);

        string output = AssertMigrated(demo);
        if (unusable is not null)
        {
            Assert.Contains($"guest: simulated in memory (KVM is not used: {unusable})", output, StringComparison.Ordinal);
            Assert.Contains("memory on the destination equals the source's at suspension", output, StringComparison.Ordinal);
            return;
        }

        Assert.StartsWith("guest: a KVM virtual machine on /dev/kvm", output, StringComparison.Ordinal);
        string[] lines = output.Split('\n');

        // The source VM's heartbeats come before the migration and while it runs, the destination VM's after it, and
        // the destination's first is the source's last plus one; every one says ok.
        long[] source = Heartbeats(lines, "vzl-216");
        long[] destination = Heartbeats(lines, "vzl-212");
        Assert.True(source.Length >= 3, output);
        Assert.True(destination.Length == 5, output);
        Assert.Equal(Enumerable.Range(0, source.Length).Select(i => source[0] + i), source);
        Assert.Equal(Enumerable.Range(1, destination.Length).Select(i => source[^1] + i), destination);
        int migrate = Array.FindIndex(lines, l => l.StartsWith("root@vzl-216:~# zoneadm -z mig1 migrate 127.0.0.1:", StringComparison.Ordinal));
        int halting = Array.IndexOf(lines, "zoneadm: zone 'mig1': Halting and detaching zone on source host.");
        Assert.True(Array.FindIndex(lines, l => l.StartsWith("[vzl-216 mig1 console] ", StringComparison.Ordinal)) < migrate, output);
        Assert.True(Array.FindIndex(lines, l => l.StartsWith("[vzl-212 mig1 console] ", StringComparison.Ordinal)) > halting, output);
        Assert.DoesNotContain("CORRUPT", output, StringComparison.Ordinal);
        Assert.Matches(@"the guest's first heartbeat \d+ ms after its start, before the commit", output);
        Assert.Contains("memory and device state on the destination matched the source's digest at suspension", output, StringComparison.Ordinal);
        Assert.Contains($"the guest's heartbeats continue on the destination at {destination[0]} after {source[^1]} on the source, every one ok", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_forced_to_the_simulated_guest_migrates_mig1_and_compares_its_memory()
    {
        var demo = await SampleProcess.RunAsync(SamplePaths.Demo, ["--memory", "128M", "--guest", "sim"]);

        string output = AssertMigrated(demo);
        Assert.StartsWith("guest: simulated in memory (--guest sim)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("mig1 console]", output, StringComparison.Ordinal);
        Assert.Contains("memory on the destination equals the source's at suspension", output, StringComparison.Ordinal);
    }

    /// <summary>Exit 0, every step message in order, the zone configured on the source and running on the destination, and the summary.</summary>
    private static string AssertMigrated((int ExitCode, string Output, string Error) demo)
    {
        Assert.True(demo.ExitCode == 0, demo.Output + demo.Error);
        string output = demo.Output.ReplaceLineEndings("\n");
        string[] lines = output.Split('\n');
        string[] steps = [.. lines.Where(l => l.StartsWith("zoneadm: zone 'mig1': ", StringComparison.Ordinal) && !l.Contains("No such zone", StringComparison.Ordinal))];
        Assert.Equal(TwoHosts.MigrationSteps("mig1"), steps);

        // After the migration: `zoneadm -z mig1 list -s` on the source, then on the destination.
        string after = output[output.LastIndexOf("Halting and detaching", StringComparison.Ordinal)..];
        int source = after.IndexOf("mig1             configured", StringComparison.Ordinal);
        int destination = after.IndexOf("mig1             running", StringComparison.Ordinal);
        Assert.True(source >= 0 && destination > source, after);

        // The summary ends with the end-to-end figure, the one the operator waits for.
        Assert.Matches(@"\n\s+end to end \d+\.\d{3} GB/s \(memory size over the total time\)\n", output);
        return output;
    }

    private static long[] Heartbeats(string[] lines, string host) =>
        [.. lines.Select(l => ConsoleHeartbeat().Match(l)).Where(m => m.Success && m.Groups[1].Value == host)
            .Select(m => { Assert.Equal("ok", m.Groups[3].Value); return long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture); })];

    [GeneratedRegex(@"^\[(vzl-\d+) mig1 console\] heartbeat (\d+) ticks=\d+ written=\d+ (ok|CORRUPT page=\d+)$")]
    private static partial Regex ConsoleHeartbeat();
}
