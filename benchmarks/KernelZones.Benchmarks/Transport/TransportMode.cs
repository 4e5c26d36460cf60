using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using KernelZones.Benchmarks.Measurement;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Samples;

namespace KernelZones.Benchmarks.Transport;

/// <summary>
/// <c>transport --cipher C --stripes N --size S [--record R] [--runs K] [--json F]</c>:
/// memory-to-memory over loopback through our striped transfer and, in the same run, through the direct
/// baseline; prints both throughputs, the ratio, CPU seconds and managed bytes allocated per GiB (steady state:
/// between 25 % and 75 % of the bytes received, see <see cref="SteadyStateAllocation"/>; and over the whole run).
/// </summary>
internal static class TransportMode
{
    private const long WindowBytes = 256L << 20;
    private const long WarmUpBytes = 128L << 20;
    private const int WarmUpPasses = 3;

    public static Command CreateCommand()
    {
        Option<string> cipher = ModeOptions.Cipher("The stripes' cipher, and the baseline's.");
        cipher.DefaultValueFactory = _ => CipherSuite.Aes128Ccm;
        var stripes = new Option<int>("--stripes") { Description = "Data connections.", DefaultValueFactory = _ => 2 };
        Option<long> size = ModeOptions.Size("--size", "4G", "Bytes moved per run, on each side.");
        Option<long> record = ModeOptions.Size("--record", "256K", "Record payload size.");
        var runs = new Option<int>("--runs") { Description = "Measured runs (after an unmeasured warm-up); the report gives the median.", DefaultValueFactory = _ => 1 };
        Option<string> json = ModeOptions.Json();
        var command = new Command("transport", "Memory to memory over loopback through the striped transfer and, in the same run, the direct baseline.")
        {
            cipher, stripes, size, record, runs, json,
        };
        command.SetAction((result, _) => RunAsync(
            result.GetRequiredValue(cipher), result.GetValue(stripes), result.GetValue(size), (int)result.GetValue(record), result.GetValue(runs), result.GetValue(json)));
        return command;
    }

    private static async Task<int> RunAsync(string cipher, int stripes, long size, int record, int runs, string? json)
    {
        using var source = new RingMemory(WindowBytes, random: true);
        using var destination = new RingMemory(WindowBytes, random: false);
        var ours = new List<RunResult>();
        var baseline = new List<RunResult>();
        Console.WriteLine($"transport: cipher {cipher}, {stripes} stripe(s), {size >> 20} MiB per run, {record >> 10} KiB records");

        // Unmeasured warm-up of both sides, so that the measured runs execute optimized code, as a long-lived host does.
        for (int warmUp = 0; warmUp < WarmUpPasses; warmUp++)
        {
            DirectBaseline.Run(cipher, stripes, WarmUpBytes, record, source, destination);
            await StripedRun.RunAsync(cipher, stripes, WarmUpBytes, record, source, destination);
            await JitSettle.WaitAsync();
        }

        for (int run = 0; run < runs; run++)
        {
            // Alternate the order so that neither side always runs on a warmer machine.
            if (run % 2 == 0)
            {
                baseline.Add(DirectBaseline.Run(cipher, stripes, size, record, source, destination));
                ours.Add(await StripedRun.RunAsync(cipher, stripes, size, record, source, destination));
            }
            else
            {
                ours.Add(await StripedRun.RunAsync(cipher, stripes, size, record, source, destination));
                baseline.Add(DirectBaseline.Run(cipher, stripes, size, record, source, destination));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {run + 1}: ours {ours[^1].GBps:0.000} GB/s ({ours[^1].CpuSeconds:0.00} s CPU, allocated {ours[^1].SteadyStateBytesPerGiB / 1024:0.0} KiB/GiB steady, {ours[^1].AllocatedBytesPerGiB / 1024:0.0} KiB/GiB whole run)   baseline {baseline[^1].GBps:0.000} GB/s ({baseline[^1].CpuSeconds:0.00} s CPU)   ratio {ours[^1].GBps / baseline[^1].GBps:0.000}"));
        }

        var report = Report(cipher, stripes, size, ours, baseline);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: ours {report.ThroughputGBps:0.000} GB/s, baseline {report.BaselineGBps:0.000} GB/s, ratio {report.Ratio:0.000}, CPU {report.CpuSeconds:0.00} s, allocated {report.AllocatedBytesPerGiB:0} B/GiB in the steady state (worst run), {report.WholeRunAllocatedBytesPerGiB:0} B/GiB over the whole run (best run)"));
        if (json is not null)
        {
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(report, JsonReport.Options));
        }

        return 0;
    }

    private static TransportReport Report(string cipher, int stripes, long size, List<RunResult> ours, List<RunResult> baseline)
    {
        var ratios = ours.Zip(baseline, (o, b) => o.GBps / b.GBps).ToList();
        int median = Median(ratios);
        return new TransportReport("transport", cipher, stripes, size, ours[median].GBps, baseline[median].GBps, ratios[median], ours[median].CpuSeconds, (long)ours.Max(r => r.SteadyStateBytesPerGiB), (long)ours.Min(r => r.AllocatedBytesPerGiB));
    }

    /// <summary>The index of the median element (lower median for even counts).</summary>
    internal static int Median(List<double> values)
    {
        var order = values.Select((v, i) => (v, i)).OrderBy(p => p.v).ToList();
        return order[(order.Count - 1) / 2].i;
    }

    private sealed record TransportReport(string Mode, string Cipher, int Stripes, long Bytes, double ThroughputGBps, double BaselineGBps, double Ratio, double CpuSeconds, long AllocatedBytesPerGiB, long WholeRunAllocatedBytesPerGiB);
}
