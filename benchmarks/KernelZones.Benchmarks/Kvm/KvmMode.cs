using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KernelZones.Benchmarks.Measurement;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Kvm;

namespace KernelZones.Benchmarks.Kvm;

/// <summary>
/// <c>kvm [--json F]</c>: the KVM monitor's own figures — time to first heartbeat (cold and warm), pause latency of a
/// full-speed dirtying guest, state capture and restore time and size, dirty-log collection time per GiB, and the
/// pages a full-speed guest dirties per second. <c>kvm --write-image F</c> writes the guest program as a flat image
/// instead, and prints its load address, entry point and CPU mode, so that another monitor can run the same guest.
/// </summary>
internal static class KvmMode
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    public static Command CreateCommand()
    {
        var writeImage = new Option<string>("--write-image")
        {
            HelpName = "file",
            Description = "Write the guest program as a flat image instead, and print its load address, entry point and CPU mode.",
        };
        Option<string> json = ModeOptions.Json();
        var command = new Command("kvm", "The KVM monitor's own figures: first heartbeat, pause latency, state capture and restore, dirty-log collection, dirty rate.")
        {
            json, writeImage,
        };
        command.SetAction((result, _) => RunAsync(result.GetValue(json), result.GetValue(writeImage)));
        return command;
    }

    private static async Task<int> RunAsync(string? json, string? imagePath)
    {
        if (imagePath is not null)
        {
            using (FileStream image = File.Create(imagePath))
            {
                KvmGuestProgram.WriteImage(image);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{imagePath}: {KvmGuestProgram.Length} bytes, load address 0x{KvmGuestProgram.LoadAddress:x}, entry point 0x{KvmGuestProgram.EntryPoint:x}, mode {KvmGuestProgram.Mode}"));
            return 0;
        }

        if (KvmGuest.ProbeUnavailableReason() is { } unusable)
        {
            await Console.Error.WriteLineAsync($"kvm: KVM is not usable here: {unusable}");
            return 2;
        }

        double cold = (await FirstHeartbeatAsync()).TotalMilliseconds;
        double[] warm = new double[5];
        for (int i = 0; i < warm.Length; i++)
        {
            warm[i] = (await FirstHeartbeatAsync()).TotalMilliseconds;
        }

        (double[] pauses, double pagesPerSecond) = await FullSpeedAsync();
        (double[] captures, double[] restores, int stateBytes) = await CaptureRestoreAsync();
        double[] collections = CollectOneGiB();

        var report = new KvmReport(
            "kvm", cold, Median(warm), Median(pauses), pauses.Max(), Median(captures), Median(restores), stateBytes, Median(collections), pagesPerSecond);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  first heartbeat: cold {report.FirstHeartbeatColdMs:0.0} ms, warm median of 5 {report.FirstHeartbeatWarmMs:0.0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  pause latency (full-speed dirty guest), median/max of {pauses.Length}: {report.PauseMedianMs:0.00} / {report.PauseMaxMs:0.00} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  capture / restore, median of {captures.Length}: {report.CaptureMs:0.000} / {report.RestoreMs:0.000} ms, state {report.StateBytes} bytes"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  dirty-log collection per GiB, median of {collections.Length}: {report.CollectMsPerGiB:0.000} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  pages dirtied per second at full speed: {report.PagesDirtiedPerSecond:0} ({report.PagesDirtiedPerSecond * 4096 / 1048576:0} MiB/s of pages)"));
        Console.WriteLine(JsonSerializer.Serialize(report, JsonReport.Options));
        if (json is not null)
        {
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(report, JsonReport.Options));
        }

        return 0;
    }

    /// <summary>From the call that creates the VM to its first console line.</summary>
    private static async Task<TimeSpan> FirstHeartbeatAsync()
    {
        var clock = Stopwatch.StartNew();
        using KvmGuest guest = KvmGuest.Create(new KvmGuestOptions());
        await guest.ConsoleLines.ReadAsync().AsTask().WaitAsync(s_wait);
        return clock.Elapsed;
    }

    /// <summary>Suspend latencies of a guest dirtying flat out, and its dirty rate over one second of wall time.</summary>
    private static async Task<(double[] Pauses, double PagesPerSecond)> FullSpeedAsync()
    {
        using KvmGuest guest = KvmGuest.Create(new KvmGuestOptions { MemorySize = 128L << 20, Workload = KvmWorkload.Dirty(0, 64L << 20) });
        await NextWrittenAsync(guest);
        (long startWritten, long start) = (await NextWrittenAsync(guest), Stopwatch.GetTimestamp());
        long written;
        do
        {
            written = await NextWrittenAsync(guest);
        }
        while (Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(1));

        double pagesPerSecond = (written - startWritten) / Stopwatch.GetElapsedTime(start).TotalSeconds;
        double[] pauses = new double[20];
        for (int i = 0; i < pauses.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            await guest.Cpus.SuspendAsync(CancellationToken.None).AsTask().WaitAsync(s_wait);
            pauses[i] = clock.Elapsed.TotalMilliseconds;
            await guest.Cpus.ResumeAsync(CancellationToken.None);
            Drain(guest);
            await NextWrittenAsync(guest);
        }

        return (pauses, pagesPerSecond);
    }

    private static async Task<(double[] Captures, double[] Restores, int StateBytes)> CaptureRestoreAsync()
    {
        const long memory = 64L << 20;
        using KvmGuest source = KvmGuest.Create(new KvmGuestOptions { MemorySize = memory });
        await source.ConsoleLines.ReadAsync().AsTask().WaitAsync(s_wait);
        await source.Cpus.SuspendAsync(CancellationToken.None);
        using KvmGuest destination = KvmGuest.CreateForRestore(new KvmGuestOptions { MemorySize = memory });
        double[] captures = new double[10];
        double[] restores = new double[10];
        byte[] state = [];
        for (int i = 0; i < captures.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            state = source.Devices.Capture().ToArray();
            captures[i] = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            destination.Devices.Restore(state);
            restores[i] = clock.Elapsed.TotalMilliseconds;
        }

        return (captures, restores, state.Length);
    }

    /// <summary>Collections of a 1 GiB idle guest's dirty log (KVM_GET_DIRTY_LOG and the bitmap merge), in ms.</summary>
    private static double[] CollectOneGiB()
    {
        using KvmGuest guest = KvmGuest.Create(new KvmGuestOptions { MemorySize = 1L << 30 });
        var bitmap = new DirtyPageBitmap(guest.Memory.PageCount);
        guest.Memory.StartDirtyTracking();
        double[] collections = new double[10];
        for (int i = 0; i < collections.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            guest.Memory.CollectDirtyPages(bitmap);
            collections[i] = clock.Elapsed.TotalMilliseconds;
        }

        guest.Memory.StopDirtyTracking();
        return collections;
    }

    private static async Task<long> NextWrittenAsync(KvmGuest guest)
    {
        string line = await guest.ConsoleLines.ReadAsync().AsTask().WaitAsync(s_wait);
        int at = line.IndexOf("written=", StringComparison.Ordinal) + "written=".Length;
        return long.Parse(line.AsSpan(at, line.IndexOf(' ', at) - at), CultureInfo.InvariantCulture);
    }

    private static void Drain(KvmGuest guest)
    {
        while (guest.ConsoleLines.TryRead(out _))
        {
        }
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record KvmReport(
        string Mode, double FirstHeartbeatColdMs, double FirstHeartbeatWarmMs, double PauseMedianMs, double PauseMaxMs,
        double CaptureMs, double RestoreMs, int StateBytes, double CollectMsPerGiB, double PagesDirtiedPerSecond);
}
