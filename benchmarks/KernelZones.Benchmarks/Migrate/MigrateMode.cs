using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using KernelZones.Benchmarks.Measurement;
using KernelZones.Benchmarks.Transport;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Striping;
using KernelZones.Samples;

namespace KernelZones.Benchmarks.Migrate;

/// <summary>
/// <c>migrate --memory M --cipher C [--stripes auto|n] [--workload none|&lt;MiB/s&gt;[:&lt;working set&gt;]] [--json F]</c>:
/// one live migration of a guest filled with random (incompressible) bytes between two hosts in this process over
/// loopback (real TLS control channel, real stripes), and in the same run the direct baseline moving the same
/// number of bytes with the same cipher, stripe count and record size.
/// </summary>
/// <remarks>
/// <para><b>End-to-end time</b> is what the operator waits for: from the call to the source's halt, setup included
/// (TLS, authentication, importing, attaching and booting the zone in migrating-in mode, whose memory the destination
/// populates in the background until the first page is due). Its throughput, memory size over end-to-end time, is the
/// headline; <c>endToEndMs</c> and <c>totalMs</c> in the JSON are the same quantity, with <c>setupMs</c> (connecting to
/// the first page sent) and <c>transferMs</c> (first page to halt) beside it.</para>
/// <para><b>Transfer throughput</b> is the zone's memory size over the transfer time: every pre-copy round, resent
/// dirty pages, the switchover and the commit count against us. It is compared with the baseline, which likewise
/// moves the bytes between buffers allocated before its clock starts. The engine's own wire rate (bytes on the wire
/// over sending time) is printed as well.</para>
/// <para><c>--stripes n</c> is a cap on top of the engine's rule (one stripe per 2 GiB, at most the CPU count);
/// the report gives the stripe count actually used, and the baseline uses that count.</para>
/// </remarks>
internal static class MigrateMode
{
    private const long BaselineWindowBytes = 256L << 20;
    private const long WarmUpBytes = 64L << 20;
    private const int WarmUpMigrations = 3;

    public static Command CreateCommand()
    {
        var guest = new Option<string>("--guest")
        {
            HelpName = "sim|kvm",
            Description = "The guest migrated: the simulated guest (compared with the direct baseline), or a KVM virtual machine (compared with a simulated guest of the same size).",
            DefaultValueFactory = _ => "sim",
        };
        guest.AcceptOnlyFromAmong("sim", "kvm");
        Option<long?> memory = ModeOptions.Size("--memory", "The guest's memory; default 4G, 1G with --guest kvm.");
        Option<string> cipher = ModeOptions.Cipher("The memory stream's cipher; default aes-128-ccm, aes-128-gcm with --guest kvm.");
        var stripes = new Option<int>("--stripes")
        {
            HelpName = "auto|n",
            Description = "A cap on the data connections on top of the engine's rule (one per 2 GiB, at most the CPU count); default auto, no cap.",
            CustomParser = result => result.Tokens[0].Value == "auto" ? 0
                : int.TryParse(result.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int cap) && cap > 0 ? cap
                : Refuse(result, "--stripes must be auto or a positive number"),
        };
        var workload = new Option<string>("--workload")
        {
            HelpName = "none|<MiB/s>[:<working set>]",
            Description = "The guest's dirtying, as the samples take it for both guest kinds: none (idle, the default), or a rate over a working set such as 64:256M (an empty rate is 16; the default working set a quarter of memory, at most 256M).",
            DefaultValueFactory = _ => "none",
        };
        Option<string> json = ModeOptions.Json();
        var command = new Command("migrate", "One live migration between two hosts in this process over loopback (real TLS control channel, real stripes), and the in-run baseline.")
        {
            guest, memory, cipher, stripes, workload, json,
        };
        command.SetAction(async (result, _) =>
        {
            bool kvm = result.GetValue(guest) == "kvm";
            long bytes = result.GetValue(memory) ?? (kvm ? 1L << 30 : 4L << 30);
            string text = result.GetRequiredValue(workload);
            WorkloadSpec? dirtying;
            try
            {
                dirtying = WorkloadSpec.Parse(text, bytes);
            }
            catch (UsageException e)
            {
                await Console.Error.WriteLineAsync($"migrate: {e.Message}");
                return 2;
            }

            return kvm
                ? await KvmMigrateRun.RunAsync(bytes, result.GetValue(cipher) ?? CipherSuite.Aes128Gcm, text, dirtying, result.GetValue(json))
                : await RunAsync(bytes, result.GetValue(cipher) ?? CipherSuite.Aes128Ccm, result.GetValue(stripes), text, dirtying, result.GetValue(json));
        });
        return command;
    }

    private static async Task<int> RunAsync(long memory, string cipher, int maxStripes, string workload, WorkloadSpec? dirtying, string? json)
    {
        string stripes = maxStripes == 0 ? "auto" : maxStripes.ToString(CultureInfo.InvariantCulture);
        var options = new MigrationOptions { Cipher = cipher, MaxStripes = maxStripes };
        Console.WriteLine($"migrate: {memory >> 20} MiB guest, cipher {cipher}, stripes {stripes}, workload {workload}");
        await WarmUpAsync(cipher);
        using var phases = new PhaseRecorder();
        MigrationResult result;
        RunResult ours;
        double transferCpuSeconds;
        await using (var hosts = new LoopbackHosts(GuestKind.Sim, memory, dirtying))
        {
            var fill = System.Diagnostics.Stopwatch.StartNew();
            ((InMemoryGuest)hosts.Guest).FillRandom(0, memory, seed: 20261126);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  filled {memory >> 20} MiB with random bytes in {fill.Elapsed.TotalSeconds:0.00} s"));

            var meter = new RunMeter();
            result = await hosts.MigrateAsync(options);
            ours = meter.Stop(memory);
            transferCpuSeconds = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - phases.CpuAtTransferStart!.Value).TotalSeconds;
        }

        // After the hosts are disposed: the destination's side has finished, and its memory is free for the baseline.
        phases.PrintSwitchover();
        var baseline = RunBaseline(cipher, result.Stripes, memory);
        var report = Report(result, ours, transferCpuSeconds, baseline, memory);
        Print(result, report, baseline);
        if (json is not null)
        {
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(report, JsonReport.Options));
        }

        return result.Outcome == MigrationOutcome.Succeeded ? 0 : 1;
    }

    /// <summary>
    /// Small migrations first, not measured, each followed by a wait until the JIT has finished promoting what it
    /// ran (tiering happens in the background, late on a busy machine). One was not enough: the runtime counts calls
    /// toward promotion only once no new method has been compiled for a while, and code goes through an instrumented
    /// tier before the optimized one, so profiles of the measured run still showed the page hash (System.IO.Hashing,
    /// which ships without precompiled code) at tier 0 and instrumented, and the JIT busy on one of the two CPUs.
    /// The measured migration then runs code as a long-lived host would.
    /// </summary>
    private static async Task WarmUpAsync(string cipher)
    {
        var settle = System.Diagnostics.Stopwatch.StartNew();
        for (int migration = 0; migration < WarmUpMigrations; migration++)
        {
            await using (var hosts = new LoopbackHosts(GuestKind.Sim, WarmUpBytes))
            {
                ((InMemoryGuest)hosts.Guest).FillRandom(0, WarmUpBytes, seed: 1);
                await hosts.MigrateAsync(new MigrationOptions { Cipher = cipher });
            }

            await JitSettle.WaitAsync();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  warmed up: {WarmUpMigrations} migrations of {WarmUpBytes >> 20} MiB, JIT settled after {settle.Elapsed.TotalSeconds:0.0} s"));
    }

    private static int Refuse(System.CommandLine.Parsing.ArgumentResult result, string problem)
    {
        result.AddError(problem);
        return 0;
    }

    private static RunResult RunBaseline(string cipher, int stripes, long memory)
    {
        int record = StripeOptions.Default.Records.MaxPayloadLength;
        long window = Math.Min(BaselineWindowBytes, memory);
        using var source = new RingMemory(window, random: true);
        using var destination = new RingMemory(window, random: false);
        return DirectBaseline.Run(cipher, stripes, memory, record, source, destination);
    }

    private static MigrateReport Report(MigrationResult result, RunResult ours, double transferCpuSeconds, RunResult baseline, long memory)
    {
        TimeSpan transfer = result.TotalTime - result.SetupTime;
        double throughput = memory / transfer.TotalSeconds / 1e9;
        return new MigrateReport(
            "migrate", result.Cipher, result.Stripes, memory, memory / result.TotalTime.TotalSeconds / 1e9, throughput, baseline.GBps, throughput / baseline.GBps,
            result.TotalTime.TotalMilliseconds, result.TotalTime.TotalMilliseconds, result.SetupTime.TotalMilliseconds, transfer.TotalMilliseconds,
            result.Downtime.TotalMilliseconds, result.Rounds.Count, result.BytesOnWire, ours.CpuSeconds, transferCpuSeconds, (long)ours.AllocatedBytesPerGiB);
    }

    private static void Print(MigrationResult result, MigrateReport report, RunResult baseline)
    {
        foreach (var round in result.Rounds)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  round {round.Round}{(round.Final ? " (final)" : "")}: {round.DataPages} data + {round.ZeroPages} zero pages, {round.WireBytes / 1048576.0:0.0} MiB in {round.Duration.TotalMilliseconds:0.0} ms, {round.DirtyPages} dirtied"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  end-to-end {report.EndToEndGBps:0.000} GB/s: {report.MemoryBytes >> 20} MiB in {report.EndToEndMs:0} ms from the call to the source's halt (setup {report.SetupMs:0} ms + transfer {report.TransferMs:0} ms)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  transfer {report.ThroughputGBps:0.000} GB/s (memory / time from first page to halt; wire rate {result.ThroughputBytesPerSecond / 1e9:0.000} GB/s)   baseline {report.BaselineGBps:0.000} GB/s ({baseline.CpuSeconds:0.00} s CPU)   ratio {report.Ratio:0.000}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  downtime {report.DowntimeMs:0.0} ms (expected {result.ExpectedDowntime.TotalMilliseconds:0.0} ms), {report.Rounds} rounds, {report.BytesOnWire} bytes on the wire, {report.CpuSeconds:0.00} s CPU ({report.TransferCpuSeconds:0.00} s in the transfer), {report.AllocatedBytesPerGiB / 1024.0:0.0} KiB/GiB allocated{(result.LimitAction is { } action ? ", " + action : "")}"));
        Console.WriteLine(JsonSerializer.Serialize(report, JsonReport.Options));
    }

    /// <summary>
    /// The JSON report; <c>EndToEndMs</c> and <c>TotalMs</c> are the same quantity (the latter kept for older readers).
    /// <c>CpuSeconds</c> is the process's CPU time over the whole migration, setup included (on the destination, backing
    /// the guest's memory with RAM); <c>TransferCpuSeconds</c> is its part from the first page to the halt.
    /// </summary>
    private sealed record MigrateReport(
        string Mode, string Cipher, int Stripes, long MemoryBytes, double EndToEndGBps, double ThroughputGBps, double BaselineGBps, double Ratio,
        double EndToEndMs, double TotalMs, double SetupMs, double TransferMs, double DowntimeMs, int Rounds, long BytesOnWire, double CpuSeconds, double TransferCpuSeconds, long AllocatedBytesPerGiB);
}
