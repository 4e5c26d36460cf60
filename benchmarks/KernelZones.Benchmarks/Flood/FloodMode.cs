using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using KernelZones.Benchmarks.Measurement;
using KernelZones.Benchmarks.Migrate;
using KernelZones.Migration;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Simulation;
using KernelZones.Testing.Load;

namespace KernelZones.Benchmarks.Flood;

/// <summary>
/// <c>flood [--migrations N] [--memory M] [--rate R] [--from A] [--json F]</c>: N live migrations from 127.0.0.1 one
/// after another, each to a fresh destination, first without and then under a flood of plain TCP connections to the
/// destination's control port (R per second from address A, default 1,000/s from 127.0.0.2, each held until the
/// destination closes it). Prints how many succeeded under the flood and the median total time with and without it.
/// </summary>
internal static class FloodMode
{
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(2);

    public static Command CreateCommand()
    {
        var migrations = new Option<int>("--migrations") { Description = "Migrations with the flood, and as many without it.", DefaultValueFactory = _ => 10 };
        Option<long> memory = ModeOptions.Size("--memory", "64M", "Each guest's memory.");
        var rate = new Option<int>("--rate") { Description = "Flood connections per second.", DefaultValueFactory = _ => 1000 };
        var from = new Option<IPAddress>("--from")
        {
            HelpName = "address",
            Description = "The flood's source address (a loopback address other than the migrations' 127.0.0.1).",
            DefaultValueFactory = _ => IPAddress.Parse("127.0.0.2"),
            CustomParser = result => IPAddress.TryParse(result.Tokens[0].Value, out IPAddress? address) ? address : Refuse(result),
        };
        Option<string> json = ModeOptions.Json();
        var command = new Command("flood", "Live migrations from 127.0.0.1, first without and then under a flood of plain TCP connections to the destination's control port.")
        {
            migrations, memory, rate, from, json,
        };
        command.SetAction((result, _) => RunAsync(
            result.GetValue(migrations), result.GetValue(memory), result.GetValue(rate), result.GetRequiredValue(from), result.GetValue(json)));
        return command;
    }

    private static async Task<int> RunAsync(int migrations, long memory, int rate, IPAddress from, string? json)
    {
        Console.WriteLine($"flood: {migrations} migrations of {memory >> 20} MiB from 127.0.0.1, with and without {rate} plain TCP connections/s from {from} to the control port");

        await MigrateAsync(memory, flood: null); // warm-up, not counted
        var baseline = new List<Outcome>();
        for (int i = 0; i < migrations; i++)
        {
            baseline.Add(await MigrateAsync(memory, flood: null));
        }

        var flooded = new List<Outcome>();
        for (int i = 0; i < migrations; i++)
        {
            flooded.Add(await MigrateAsync(memory, flood: (from, rate)));
        }

        var report = new FloodReport(
            "flood", migrations, memory, rate, baseline.Count(o => o.Succeeded), flooded.Count(o => o.Succeeded),
            Median(baseline), Median(flooded), flooded.Sum(o => o.FloodOpened), flooded.Sum(o => o.FloodClosed), flooded.Average(o => o.FloodRate));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  without flood: {report.BaselineSucceeded}/{migrations} succeeded, median {report.BaselineMedianMs:0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  under flood:   {report.FloodSucceeded}/{migrations} succeeded, median {report.FloodMedianMs:0} ms ({report.FloodOpened} flood connections at {report.FloodRatePerSecond:0}/s, {report.FloodClosed} closed by the destination)"));
        foreach (string failure in flooded.Concat(baseline).Select(o => o.Failure).OfType<string>().Distinct())
        {
            Console.WriteLine($"  failure: {failure}");
        }

        Console.WriteLine(JsonSerializer.Serialize(report, JsonReport.Options));
        if (json is not null)
        {
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(report, JsonReport.Options));
        }

        return report.FloodSucceeded == migrations ? 0 : 1;
    }

    /// <summary>One migration to a fresh destination; under a flood that has reached the destination's caps before it starts.</summary>
    private static async Task<Outcome> MigrateAsync(long memory, (IPAddress From, int Rate)? flood)
    {
        await using var hosts = new LoopbackHosts(GuestKind.Sim, memory);
        ((InMemoryGuest)hosts.Guest).FillRandom(0, memory, seed: 7);
        ConnectionFlood? connections = flood is { } f ? new ConnectionFlood(hosts.Destination.ControlPort, [f.From], f.Rate, limit: f.Rate * 600) : null;
        try
        {
            if (connections is not null)
            {
                await connections.FirstClosed.WaitAsync(s_limit);
            }

            MigrationResult result = await hosts.MigrateAsync(new MigrationOptions()).WaitAsync(s_limit);
            return new Outcome(result.Outcome == MigrationOutcome.Succeeded, result.TotalTime.TotalMilliseconds, null, connections?.Opened ?? 0, connections?.Closed ?? 0, connections?.Rate ?? 0);
        }
        catch (MigrationException e)
        {
            return new Outcome(false, 0, $"{e.Kind}: {e.Message}", connections?.Opened ?? 0, connections?.Closed ?? 0, connections?.Rate ?? 0);
        }
        finally
        {
            if (connections is not null)
            {
                await connections.DisposeAsync();
            }
        }
    }

    private static IPAddress? Refuse(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--from {result.Tokens[0].Value}: not an IP address");
        return null;
    }

    private static double Median(List<Outcome> outcomes)
    {
        double[] times = [.. outcomes.Where(o => o.Succeeded).Select(o => o.TotalMs).Order()];
        return times.Length == 0 ? double.NaN : times[times.Length / 2];
    }

    private sealed record Outcome(bool Succeeded, double TotalMs, string? Failure, int FloodOpened, int FloodClosed, double FloodRate);

    private sealed record FloodReport(
        string Mode, int Migrations, long MemoryBytes, int RatePerSecond, int BaselineSucceeded, int FloodSucceeded,
        double BaselineMedianMs, double FloodMedianMs, int FloodOpened, int FloodClosed, double FloodRatePerSecond);
}
