using System.Globalization;
using System.Net;
using KernelZones.Migration.Control;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace KernelZones.Samples.ReceiverHost;

/// <summary>
/// Where the receiver keeps its files, where its services listen and what it exports, read from the configuration
/// (command line, then <c>KZ_*</c> environment variables, then the settings file; see <see cref="ReceiverConfiguration"/>)
/// with the defaults for what none of them sets.
/// </summary>
internal sealed record ReceiverSettings
{
    /// <summary>The data service's default port, Solaris's <c>kz-migr</c>.</summary>
    public const int DefaultDataPort = 8102;

    /// <summary>The Prometheus scrape endpoint's default port (the one OpenTelemetry's Prometheus exporters use).</summary>
    public const int DefaultMetricsPort = 9464;

    public required string StateDirectory { get; init; }

    public required IPAddress Address { get; init; }

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

    /// <summary>Whether the Prometheus scrape endpoint is on.</summary>
    public required bool Metrics { get; init; }

    /// <summary>The Prometheus scrape endpoint's port; 0 picks a free one.</summary>
    public required int MetricsPort { get; init; }

    /// <summary>The OpenTelemetry collector metrics and traces go to by OTLP; <see langword="null"/> exports nothing by OTLP.</summary>
    public required Uri? OtlpEndpoint { get; init; }

    public required LogLevel LogLevel { get; init; }

    /// <summary>How long a silent peer (control or data connection) is waited for; <see langword="null"/> keeps the library defaults (control 2 min, data 30 s).</summary>
    public required TimeSpan? PeerTimeout { get; init; }

    /// <summary>What received zones run on.</summary>
    public required GuestKind Guest { get; init; }

    /// <summary>The KVM device received zones' virtual machines are created on (with <see cref="GuestKind.Kvm"/>).</summary>
    public required string KvmDevice { get; init; }

    /// <summary>The received zones' configurations (<c>&lt;state&gt;/zones/&lt;zone&gt;.cfg</c>).</summary>
    public string ZonesDirectory => Path.Combine(StateDirectory, "zones");

    /// <summary>This host's <c>zoneadm list -s</c>, rewritten after every zone state change.</summary>
    public string StatusFile => Path.Combine(StateDirectory, "status");

    /// <summary>The authorized keys file of <paramref name="user"/>.</summary>
    public string AuthorizedKeysFile(string user) => AuthorizedKeysPattern.Replace("%u", user, StringComparison.Ordinal);

    /// <summary>The default state directory: <c>kernelzones/receiver</c> under the user's data directory (<c>$XDG_DATA_HOME</c>, else <c>~/.local/share</c>).</summary>
    public static string DefaultStateDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "kernelzones", "receiver");

    /// <exception cref="UsageException">A value is not valid; the message names the setting.</exception>
    public static ReceiverSettings Read(IConfiguration configuration)
    {
        string? Get(string key) => configuration[key] is { Length: > 0 } value ? value : null;

        string state = Path.GetFullPath(Get(SettingKeys.StateDirectory) ?? DefaultStateDirectory());
        IPAddress address = ParseAddress(Get(SettingKeys.Address) ?? "::", SettingKeys.Address);
        return new ReceiverSettings
        {
            StateDirectory = state,
            Address = address,
            ControlAddress = Get(SettingKeys.ControlAddress) is { } control ? ParseAddress(control, SettingKeys.ControlAddress) : address,
            ControlPort = Number(Get(SettingKeys.ControlPort), RemoteAddress.DefaultPort, 0, 65535, SettingKeys.ControlPort),
            DataAddress = Get(SettingKeys.DataAddress) is { } data ? ParseAddress(data, SettingKeys.DataAddress) : address,
            DataPort = Number(Get(SettingKeys.DataPort), DefaultDataPort, 0, 65535, SettingKeys.DataPort),
            IdentityDirectory = Path.GetFullPath(Get(SettingKeys.IdentityDirectory) ?? Path.Combine(state, "identity")),
            HostName = Get(SettingKeys.HostName) ?? Environment.MachineName,
            UsersFile = Path.GetFullPath(Get(SettingKeys.UsersFile) ?? Path.Combine(state, "users")),
            AuthorizedKeysPattern = Path.GetFullPath(Get(SettingKeys.AuthorizedKeys) ?? Path.Combine(state, "authorized_keys", "%u")),
            AllowNone = Flag(Get(SettingKeys.AllowNone), SettingKeys.AllowNone),
            MaxStripes = Number(Get(SettingKeys.MaxStripes), 0, 0, 256, SettingKeys.MaxStripes),
            Metrics = Flag(Get(SettingKeys.Metrics), SettingKeys.Metrics),
            MetricsPort = Number(Get(SettingKeys.MetricsPort), DefaultMetricsPort, 0, 65535, SettingKeys.MetricsPort),
            OtlpEndpoint = (Get(SettingKeys.OtlpEndpoint) ?? Get(SettingKeys.OtelEndpoint)) is { } otlp
                ? Uri.TryCreate(otlp, UriKind.Absolute, out Uri? endpoint) && endpoint.Scheme is "http" or "https" ? endpoint : throw Invalid(SettingKeys.OtlpEndpoint, otlp, "an http:// or https:// URL")
                : null,
            LogLevel = Get(SettingKeys.LogLevel) is { } level
                ? Enum.TryParse(level, ignoreCase: true, out LogLevel parsed) && Enum.IsDefined(parsed) ? parsed : throw Invalid(SettingKeys.LogLevel, level, "one of trace, debug, information, warning, error")
                : LogLevel.Information,
            PeerTimeout = Get(SettingKeys.PeerTimeout) is { } peer ? TimeSpan.FromSeconds(Number(peer, 0, 1, 3600, SettingKeys.PeerTimeout)) : null,
            Guest = Get(SettingKeys.Guest) switch
            {
                null or "sim" => GuestKind.Sim,
                "kvm" => GuestKind.Kvm,
                string other => throw Invalid(SettingKeys.Guest, other, "sim or kvm"),
            },
            KvmDevice = Get(SettingKeys.KvmDevice) ?? "/dev/kvm",
        };
    }

    private static IPAddress ParseAddress(string text, string key) =>
        IPAddress.TryParse(text.Trim('[', ']'), out IPAddress? address) ? address : throw Invalid(key, text, "an IP address");

    private static bool Flag(string? text, string key) => text switch
    {
        null => false,
        _ when text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("yes", StringComparison.OrdinalIgnoreCase) => true,
        _ when text is "0" || text.Equals("false", StringComparison.OrdinalIgnoreCase) || text.Equals("no", StringComparison.OrdinalIgnoreCase) => false,
        _ => throw Invalid(key, text, "1, true, yes, 0, false or no"),
    };

    private static int Number(string? text, int fallback, int min, int max, string key)
    {
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw Invalid(key, text, $"a number from {min} to {max}");
    }

    private static UsageException Invalid(string key, string text, string expected) =>
        new($"{SettingKeys.Describe(key)}: '{text}' is not {expected}");
}
