namespace KernelZones.Migration.Configuration;

/// <summary>Where a value came from, so that errors can name the line; <see cref="None"/> for API edits.</summary>
internal readonly record struct SourceLine(int Number, string? Text)
{
    public static SourceLine None => default;

    public ZoneConfigurationException Error(string problem, string expected, Exception? inner = null)
        => new(problem, expected, Number, Text, inner);
}
