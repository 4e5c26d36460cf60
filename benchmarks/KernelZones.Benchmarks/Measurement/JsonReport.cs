using System.Text.Json;

namespace KernelZones.Benchmarks.Measurement;

/// <summary>JSON output settings shared by the end-to-end modes (camelCase, as the issues specify).</summary>
internal static class JsonReport
{
    public static JsonSerializerOptions Options { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };
}
