namespace KernelZones.Samples.ReceiverHost;

/// <summary>
/// The receiver's configuration keys. Each is set by an option on the command line (<see cref="OptionOf"/>), by the
/// environment variable <c>KZ_&lt;key&gt;</c>, or by the settings file under the key itself (any case).
/// </summary>
internal static class SettingKeys
{
    public const string Settings = "SETTINGS";
    public const string StateDirectory = "STATE_DIR";
    public const string Address = "ADDRESS";
    public const string ControlAddress = "CONTROL_ADDRESS";
    public const string ControlPort = "CONTROL_PORT";
    public const string DataAddress = "DATA_ADDRESS";
    public const string DataPort = "DATA_PORT";
    public const string IdentityDirectory = "IDENTITY_DIR";
    public const string HostName = "HOST_NAME";
    public const string UsersFile = "USERS_FILE";
    public const string AuthorizedKeys = "AUTHORIZED_KEYS";
    public const string AllowNone = "ALLOW_NONE";
    public const string MaxStripes = "MAX_STRIPES";
    public const string Metrics = "METRICS";
    public const string MetricsPort = "METRICS_PORT";
    public const string OtlpEndpoint = "OTLP_ENDPOINT";
    public const string PeerTimeout = "PEER_TIMEOUT";
    public const string LogLevel = "LOG_LEVEL";
    public const string Guest = "GUEST";
    public const string KvmDevice = "KVM_DEVICE";

    /// <summary>OpenTelemetry's own variable for the collector, which the OTLP exporter reads under this name.</summary>
    public const string OtelEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The prefix of the receiver's environment variables.</summary>
    public const string VariablePrefix = "KZ_";

    /// <summary>The command-line option of <paramref name="key"/>: <c>--</c> and the key in lower case with dashes (<c>--users</c> for the users file).</summary>
    public static string OptionOf(string key) => key switch
    {
        UsersFile => "--users",
        _ => "--" + key.ToLowerInvariant().Replace('_', '-'),
    };

    /// <summary>The environment variable(s) of <paramref name="key"/>, as help and error messages name them.</summary>
    public static string VariablesOf(string key) => key switch
    {
        OtlpEndpoint => $"{VariablePrefix}{key} or {OtelEndpoint}",
        _ => VariablePrefix + key,
    };

    /// <summary>How a message names the setting: <c>--option (KZ_VARIABLE)</c>.</summary>
    public static string Describe(string key) => $"{OptionOf(key)} ({VariablesOf(key)})";
}
