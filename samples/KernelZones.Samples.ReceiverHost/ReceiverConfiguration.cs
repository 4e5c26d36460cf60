using System.Collections;
using Microsoft.Extensions.Configuration;

namespace KernelZones.Samples.ReceiverHost;

/// <summary>
/// The receiver's configuration sources, lowest precedence first: the settings file, OpenTelemetry's standard
/// <c>OTEL_*</c> variables, the <c>KZ_*</c> environment variables (prefix removed), then the command line.
/// </summary>
internal static class ReceiverConfiguration
{
    /// <summary>The settings file's name in the state directory, read when no other file is named.</summary>
    public const string SettingsFileName = "receiver.json";

    private const string OtelPrefix = "OTEL_";

    /// <summary>Adds the receiver's sources to <paramref name="configuration"/>.</summary>
    /// <param name="configuration">The host's (or a command's) configuration.</param>
    /// <param name="commandLine">The settings the command line gives, by key (<see cref="SettingKeys"/>).</param>
    /// <remarks>
    /// The settings file is <c>--settings</c> (or <c>KZ_SETTINGS</c>), which must exist, else <c>receiver.json</c> in the
    /// state directory the command line or the environment names (or the default one), read when it exists.
    /// </remarks>
    public static void Load(IConfigurationBuilder configuration, IReadOnlyDictionary<string, string?> commandLine)
    {
        string? named = FromCommandLineOrEnvironment(commandLine, SettingKeys.Settings);
        string file = named ?? Path.Combine(FromCommandLineOrEnvironment(commandLine, SettingKeys.StateDirectory) ?? ReceiverSettings.DefaultStateDirectory(), SettingsFileName);
        configuration.AddJsonFile(Path.GetFullPath(file), optional: named is null, reloadOnChange: false);

        // The OpenTelemetry SDK reads its standard variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, ...) from the host's configuration, under their own names.
        var otel = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Key is string name && name.StartsWith(OtelPrefix, StringComparison.Ordinal))
            {
                otel[name] = variable.Value as string;
            }
        }

        configuration.AddInMemoryCollection(otel);
        configuration.AddEnvironmentVariables(SettingKeys.VariablePrefix);
        configuration.AddInMemoryCollection(commandLine);
    }

    private static string? FromCommandLineOrEnvironment(IReadOnlyDictionary<string, string?> commandLine, string key) =>
        commandLine.GetValueOrDefault(key) is { Length: > 0 } given ? given
        : Environment.GetEnvironmentVariable(SettingKeys.VariablePrefix + key) is { Length: > 0 } variable ? variable
        : null;
}
