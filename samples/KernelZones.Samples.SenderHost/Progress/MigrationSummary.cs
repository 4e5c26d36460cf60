using System.Globalization;
using KernelZones.Migration.Engine;

namespace KernelZones.Samples.SenderHost.Progress;

/// <summary>The lines printed after a successful migration: time, downtime, rounds, throughput.</summary>
internal static class MigrationSummary
{
    public static string Format(MigrationResult result) => string.Create(CultureInfo.InvariantCulture, $"""
        summary: total {result.TotalTime.TotalSeconds:0.00} s (setup {result.SetupTime.TotalMilliseconds:0} ms), downtime {result.Downtime.TotalMilliseconds:0} ms (expected {result.ExpectedDowntime.TotalMilliseconds:0} ms), {result.Rounds.Count} rounds
                 {result.BytesOnWire / 1e9:0.000} GB on the wire at {result.ThroughputBytesPerSecond / 1e9:0.000} GB/s, cipher {result.Cipher}, {result.Stripes} data connection(s){(result.LimitAction is { } action ? ", " + action : "")}

        """);
}
