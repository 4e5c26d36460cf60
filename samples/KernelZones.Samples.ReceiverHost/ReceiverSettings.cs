using System.Globalization;
using System.Net;
using KernelZones.Migration.Control;
using Microsoft.Extensions.Logging;

namespace KernelZones.Samples.ReceiverHost;

/// <summary>Where the receiver keeps its files and where its two services listen: command line first, then environment, then defaults.</summary>
internal sealed record ReceiverSettings
{
    /// <summary>The data service's default port, Solaris's <c>kz-migr</c>.</summary>
    public const int DefaultDataPort = 8102;

    /// <summary>How often <c>--metrics</c> prints when no interval is given, in seconds.</summary>
    public const int DefaultMetricsSeconds = 10;

    public static readonly IReadOnlySet<string> Flags = new HashSet<string>(StringComparer.Ordinal) { "allow-none", "help", "no-password", "metrics" };

    public static readonly IReadOnlySet<string> Valued = new HashSet<string>(StringComparer.Ordinal)
    {
        "state-dir", "address", "control-address", "control-port", "data-address", "data-port", "identity-dir", "host-name",
        "users", "authorized-keys", "max-stripes", "log-level", "zones", "key", "peer-timeout",
    };

    public required string StateDirectory { get; init; }

    public required IPAddress ControlAddress { get; init; }

    public required int ControlPort { get; init; }

    public required IPAddress DataAddress { get; init; }

    public required int DataPort { get; init; }

    public required string IdentityDirectory { get; init; }

    public required string HostName { get; init; }

    public required string UsersFile { get; init; }

    /// <summary>The authorized keys path; <c>%u</c> stands for the user name.</summary>
    public required string AuthorizedKeysPattern { get; init; }

    public required bool AllowNone { get; init; }

    public required int MaxStripes { get; init; }

    /// <summary>How often to print the metrics; <see langword="null"/> when not asked for.</summary>
    public required TimeSpan? MetricsInterval { get; init; }

    public required LogLevel LogLevel { get; init; }

    /// <summary>How long a silent peer (control or data connection) is waited for; <see langword="null"/> keeps the library defaults (control 2 min, data 30 s).</summary>
    public required TimeSpan? PeerTimeout { get; init; }

    /// <summary>The received zones' configurations (<c>&lt;state&gt;/zones/&lt;zone&gt;.cfg</c>).</summary>
    public string ZonesDirectory => Path.Combine(StateDirectory, "zones");

    /// <summary>This host's <c>zoneadm list -s</c>, rewritten after every zone state change.</summary>
    public string StatusFile => Path.Combine(StateDirectory, "status");

    /// <summary>The authorized keys file of <paramref name="user"/>.</summary>
    public string AuthorizedKeysFile(string user) => AuthorizedKeysPattern.Replace("%u", user, StringComparison.Ordinal);

    public static ReceiverSettings Read(OptionReader options)
    {
        string state = Path.GetFullPath(options.Get("state-dir", "KZ_STATE_DIR") ?? DefaultStateDirectory());
        IPAddress address = Address(options.Get("address", "KZ_ADDRESS") ?? "::", "--address");
        return new ReceiverSettings
        {
            StateDirectory = state,
            ControlAddress = options.Get("control-address", "KZ_CONTROL_ADDRESS") is { } control ? Address(control, "--control-address") : address,
            ControlPort = Port(options.Get("control-port", "KZ_CONTROL_PORT"), RemoteAddress.DefaultPort, "--control-port"),
            DataAddress = options.Get("data-address", "KZ_DATA_ADDRESS") is { } data ? Address(data, "--data-address") : address,
            DataPort = Port(options.Get("data-port", "KZ_DATA_PORT"), DefaultDataPort, "--data-port"),
            IdentityDirectory = Path.GetFullPath(options.Get("identity-dir", "KZ_IDENTITY_DIR") ?? Path.Combine(state, "identity")),
            HostName = options.Get("host-name", "KZ_HOST_NAME") ?? Environment.MachineName,
            UsersFile = Path.GetFullPath(options.Get("users", "KZ_USERS_FILE") ?? Path.Combine(state, "users")),
            AuthorizedKeysPattern = Path.GetFullPath(options.Get("authorized-keys", "KZ_AUTHORIZED_KEYS") ?? Path.Combine(state, "authorized_keys", "%u")),
            AllowNone = options.IsSet("allow-none", "KZ_ALLOW_NONE"),
            MaxStripes = Number(options.Get("max-stripes", "KZ_MAX_STRIPES"), 0, 0, 256, "--max-stripes"),
            MetricsInterval = options.Get("metrics", "KZ_METRICS") switch
            {
                null or "0" or "false" => null,
                "true" => TimeSpan.FromSeconds(DefaultMetricsSeconds),
                string seconds => TimeSpan.FromSeconds(Number(seconds, 0, 1, 86_400, "--metrics")),
            },
            LogLevel = options.Get("log-level", "KZ_LOG_LEVEL") is { } level
                ? Enum.TryParse(level, ignoreCase: true, out LogLevel parsed) ? parsed : throw new UsageException($"--log-level: '{level}' is not one of trace, debug, information, warning, error")
                : LogLevel.Information,
            PeerTimeout = options.Get("peer-timeout", "KZ_PEER_TIMEOUT") is { } peer ? TimeSpan.FromSeconds(Number(peer, 0, 1, 3600, "--peer-timeout")) : null,
        };
    }

    private static string DefaultStateDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "kernelzones", "receiver");

    private static IPAddress Address(string text, string option) =>
        IPAddress.TryParse(text.Trim('[', ']'), out IPAddress? address) ? address : throw new UsageException($"{option}: '{text}' is not an IP address");

    private static int Port(string? text, int fallback, string option) => Number(text, fallback, 0, 65535, option);

    private static int Number(string? text, int fallback, int min, int max, string option)
    {
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{option}: '{text}' is not a number from {min} to {max}");
    }
}
