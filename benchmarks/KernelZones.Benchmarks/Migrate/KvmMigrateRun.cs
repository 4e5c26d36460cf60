using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KernelZones.Benchmarks.Measurement;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Kvm;
using KernelZones.Migration.Simulation;
using KernelZones.Samples;

namespace KernelZones.Benchmarks.Migrate;

/// <summary>
/// <c>migrate --guest kvm --memory M --cipher C [--workload none|&lt;MiB/s&gt;[:&lt;working set&gt;]] [--json F]</c>:
/// one live migration of a <see cref="KvmGuest"/> running the guest program (heartbeats every 10 ms of guest time)
/// between two hosts in this process, and in the same run one of the simulated <see cref="InMemoryGuest"/> of the same
/// size and dirty rate (zero-filled as the KVM guest's untouched memory is, its workload on the same working set).
/// </summary>
/// <remarks>
/// End-to-end is the <see cref="MigrationSource.MigrateAsync"/> call to its return (after the source's halt);
/// observed downtime is from the source guest's last heartbeat line to the destination guest's first, both stamped as
/// they arrive from the UART. The KVM guest's full speed here is about 180 MiB/s of pages, so a higher rate runs flat out.
/// </remarks>
internal static class KvmMigrateRun
{
    private const long WarmUpBytes = 64L << 20;
    private const long WorkingSetOffset = 1L << 20;

    public static async Task<int> RunAsync(long memory, string cipher, string workload, WorkloadSpec? dirtying, string? json)
    {
        if (KvmGuest.ProbeUnavailableReason() is { } unusable)
        {
            await Console.Error.WriteLineAsync($"migrate --guest kvm: KVM is not usable here: {unusable}");
            return 2;
        }

        var options = new MigrationOptions { Cipher = cipher };
        Console.WriteLine($"migrate --guest kvm: {memory >> 20} MiB guest, cipher {cipher}, workload {workload}");

        await WarmUpAsync(cipher);
        KvmRun kvm = await RunKvmAsync(memory, dirtying, options);
        (MigrationResult simulated, TimeSpan simulatedEndToEnd) = await RunSimulatedAsync(memory, dirtying, options);

        var report = new KvmMigrateReport(
            "migrate", "kvm", cipher, memory, workload,
            kvm.EndToEnd.TotalMilliseconds, kvm.Result.SetupTime.TotalMilliseconds, (kvm.Result.TotalTime - kvm.Result.SetupTime).TotalMilliseconds,
            kvm.Result.Downtime.TotalMilliseconds, kvm.ObservedDowntime.TotalMilliseconds, kvm.Result.ReadinessWait?.TotalMilliseconds, kvm.Result.Rounds.Count, kvm.Result.BytesOnWire, kvm.CpuSeconds,
            simulatedEndToEnd.TotalMilliseconds, simulated.Downtime.TotalMilliseconds, simulated.Rounds.Count, simulated.BytesOnWire,
            kvm.EndToEnd / simulatedEndToEnd);
        Print(kvm, report);
        if (json is not null)
        {
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(report, JsonReport.Options));
        }

        return kvm.Result.Outcome == MigrationOutcome.Succeeded && kvm.FirstLine.EndsWith(" ok", StringComparison.Ordinal) ? 0 : 1;
    }

    /// <summary>A small migration of each kind, not measured, then a wait for the JIT (see <see cref="MigrateMode"/>).</summary>
    private static async Task WarmUpAsync(string cipher)
    {
        for (int i = 0; i < 2; i++)
        {
            await using (var hosts = new LoopbackHosts(GuestKind.Kvm, WarmUpBytes))
            {
                await hosts.SourceRunning.WaitAsync(TimeSpan.FromSeconds(30));
                await hosts.MigrateAsync(new MigrationOptions { Cipher = cipher });
            }

            await using (var hosts = new LoopbackHosts(GuestKind.Sim, WarmUpBytes))
            {
                await hosts.MigrateAsync(new MigrationOptions { Cipher = cipher });
            }
        }

        await JitSettle.WaitAsync();
    }

    private static async Task<KvmRun> RunKvmAsync(long memory, WorkloadSpec? workload, MigrationOptions options)
    {
        await using var hosts = new LoopbackHosts(GuestKind.Kvm, memory, workload);
        await hosts.SourceRunning.WaitAsync(TimeSpan.FromSeconds(30));
        var meter = new RunMeter();
        var clock = Stopwatch.StartNew();
        MigrationResult result = await hosts.MigrateAsync(options);
        TimeSpan endToEnd = clock.Elapsed;
        RunResult measured = meter.Stop(memory);
        (long firstTimestamp, string firstLine) = await hosts.FirstArrivedLine.WaitAsync(TimeSpan.FromSeconds(30));
        TimeSpan observed = Stopwatch.GetElapsedTime(hosts.LastSourceLine, firstTimestamp);
        return new KvmRun(result, endToEnd, observed, measured.CpuSeconds, firstLine);
    }

    private static async Task<(MigrationResult Result, TimeSpan EndToEnd)> RunSimulatedAsync(long memory, WorkloadSpec? workload, MigrationOptions options)
    {
        // The simulated guest's working set starts at 1 MiB, where the KVM guest program's does.
        await using var hosts = new LoopbackHosts(GuestKind.Sim, memory, workload, WorkingSetOffset);
        var clock = Stopwatch.StartNew();
        MigrationResult result = await hosts.MigrateAsync(options);
        return (result, clock.Elapsed);
    }

    private static void Print(KvmRun kvm, KvmMigrateReport report)
    {
        foreach (var round in kvm.Result.Rounds)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  kvm round {round.Round}{(round.Final ? " (final)" : "")}: {round.DataPages} data + {round.ZeroPages} zero pages, {round.WireBytes / 1048576.0:0.0} MiB in {round.Duration.TotalMilliseconds:0.0} ms, {round.DirtyPages} dirtied"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  kvm: end-to-end {report.EndToEndMs:0} ms (setup {report.SetupMs:0} ms, transfer {report.TransferMs:0} ms), downtime {report.DowntimeMs:0.0} ms (engine: suspension to the destination's vCPU start), observed {report.ObservedDowntimeMs:0.0} ms (last source heartbeat to first destination heartbeat), readiness wait {report.ReadinessWaitMs:0.0} ms (vCPU start to first heartbeat, before the commit), {report.Rounds} rounds, {report.BytesOnWire} bytes on the wire, {report.CpuSeconds:0.00} s CPU; first line on the destination: '{kvm.FirstLine}'"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  simulated: end-to-end {report.SimulatedEndToEndMs:0} ms, downtime {report.SimulatedDowntimeMs:0.0} ms, {report.SimulatedRounds} rounds, {report.SimulatedBytesOnWire} bytes on the wire   kvm/simulated end-to-end {report.EndToEndRatio:0.000}"));
        Console.WriteLine(JsonSerializer.Serialize(report, JsonReport.Options));
    }

    private sealed record KvmRun(MigrationResult Result, TimeSpan EndToEnd, TimeSpan ObservedDowntime, double CpuSeconds, string FirstLine);

    private sealed record KvmMigrateReport(
        string Mode, string Guest, string Cipher, long MemoryBytes, string Workload,
        double EndToEndMs, double SetupMs, double TransferMs, double DowntimeMs, double ObservedDowntimeMs, double? ReadinessWaitMs, int Rounds, long BytesOnWire, double CpuSeconds,
        double SimulatedEndToEndMs, double SimulatedDowntimeMs, int SimulatedRounds, long SimulatedBytesOnWire, double EndToEndRatio);
}
