using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Extensions.Configuration;

namespace KernelZones.Samples.ReceiverHost.Commands;

/// <summary>
/// The receiver's commands and options: <c>run</c> (the default), <c>adduser</c> and <c>identity</c>. Every setting
/// option also has an environment variable and a settings-file key (<see cref="SettingKeys"/>); what the command line
/// gives goes into the configuration above them (<see cref="ReceiverConfiguration"/>).
/// </summary>
internal sealed class ReceiverCommandLine
{
    private const string Description = """
        A kernel zone migration destination: the rad:remote (control) and kz-migr (data) services of Solaris 11.3 kernel zones.

        Settings come from the command line, then the environment (the variable named with each option), then the settings
        file (JSON; keys are the variables without KZ_, e.g. { "CONTROL_PORT": 12302 }, and a "Logging" section), then the defaults.
        The state directory holds zones/<zone>.cfg for each zone received (zonecfg export form; configured again, detached,
        on the next start) and status, this host's 'zoneadm list -s' after every change (removed at a clean stop).
        Exit status: 0 after a clean stop, 1 on an error, 2 on a usage error.
        """;

    private readonly List<(Option Option, string Key)> _settings = [];
    private readonly Option<string> _zones = new("--zones") { HelpName = "*|z1,z2|-", Description = "the zones the user may migrate in: every zone (*, default), a list, or none (-)" };
    private readonly Option<string> _key = new("--key") { HelpName = "file.pub", Description = "append this ecdsa-sha2-nistp256 public key to the user's authorized keys" };
    private readonly Option<bool> _noPassword = new("--no-password") { Description = "no password: the user signs in with a key only" };
    private readonly Argument<string> _user = new("name") { Description = "the user to add or replace" };

    public ReceiverCommandLine()
    {
        // Files and names every command uses: accepted before or after the command.
        Option[] common =
        [
            Setting<string>(SettingKeys.Settings, "file", "settings file; default <state-dir>/receiver.json when it exists"),
            Setting<string>(SettingKeys.StateDirectory, "dir", "default ~/.local/share/kernelzones/receiver"),
            Setting<string>(SettingKeys.IdentityDirectory, "dir", "TLS certificate and key (generated on first start); default <state-dir>/identity"),
            Setting<string>(SettingKeys.HostName, "name", "name in the certificate and the hello; default this machine's"),
            Setting<string>(SettingKeys.UsersFile, "file", "users file (see adduser); default <state-dir>/users"),
            Setting<string>(SettingKeys.AuthorizedKeys, "path", "public keys for ssh://; %u is the user name (a path without %u serves every user, as OpenSSH's AuthorizedKeysFile); default <state-dir>/authorized_keys/%u"),
        ];
        foreach (Option option in common)
        {
            option.Recursive = true;
        }

        // The services' settings: for run, which is also what the program does without a command.
        Option[] service =
        [
            Setting<string>(SettingKeys.Address, "ip", "every listener (both services and the metrics endpoint); default :: (every IPv4 and IPv6 address)"),
            Setting<string>(SettingKeys.ControlAddress, "ip", "rad:remote only; default --address"),
            Setting<int>(SettingKeys.ControlPort, "port", "default 12302; 0 picks a free port (printed on start)"),
            Setting<string>(SettingKeys.DataAddress, "ip", "kz-migr only; default --address"),
            Setting<int>(SettingKeys.DataPort, "port", "default 8102; 0 picks a free port (printed on start)"),
            Setting<bool>(SettingKeys.AllowNone, null, "allow unencrypted memory streams (-c none)"),
            Setting<int>(SettingKeys.MaxStripes, "n", "cap on data connections per migration; default 0 (no cap)"),
            Setting<int>(SettingKeys.PeerTimeout, "seconds", "drop a migration whose source stays silent this long (control and data connections); default 120 s control, 30 s data"),
            Setting<string>(SettingKeys.Guest, "sim|kvm", "what received zones run on: simulated guests (default) or KVM virtual machines (needs a usable /dev/kvm; their console goes to the log)", "sim", "kvm"),
            Setting<string>(SettingKeys.KvmDevice, "path", "the KVM device for --guest kvm; default /dev/kvm"),
            Setting<bool>(SettingKeys.Metrics, null, "serve the KernelZones.* meters as a Prometheus scrape endpoint (http://<address>:<metrics-port>/metrics)"),
            Setting<int>(SettingKeys.MetricsPort, "port", "the scrape endpoint's port; default 9464; 0 picks a free port (printed on start)"),
            Setting<string>(SettingKeys.OtlpEndpoint, "url", "send metrics and traces by OTLP to this OpenTelemetry collector (the other OTEL_EXPORTER_OTLP_* variables apply)"),
            Setting<string>(SettingKeys.LogLevel, "level", "default information", "trace", "debug", "information", "warning", "error"),
        ];

        var run = new Command("run", "start both services (the default command); Ctrl-C or SIGTERM stops them, aborting migrations in flight (their sources keep their zones)");
        var addUser = new Command("adduser", "add or replace a user; the password is read from the terminal without echo, or as one line of standard input")
        {
            _user, _zones, _key, _noPassword,
        };
        var identity = new Command("identity", "create the TLS identity if missing; print its files and fingerprint");
        Root = new RootCommand(Description) { run, addUser, identity };
        foreach (Option option in common)
        {
            Root.Options.Add(option);
        }

        foreach (Option option in service)
        {
            Root.Options.Add(option);
            run.Options.Add(option);
        }

        Root.SetAction((result, _) => RunCommand.RunAsync(SettingsGiven(result)));
        run.SetAction((result, _) => RunCommand.RunAsync(SettingsGiven(result)));
        addUser.SetAction(result => new AddUserCommand(Settings(result)).Run(
            result.GetRequiredValue(_user), result.GetValue(_zones), result.GetValue(_key), result.GetValue(_noPassword)));
        identity.SetAction(result => new IdentityCommand(Settings(result)).Run());
    }

    public RootCommand Root { get; }

    private ReceiverSettings Settings(ParseResult result)
    {
        var configuration = new ConfigurationManager();
        ReceiverConfiguration.Load(configuration, SettingsGiven(result));
        return ReceiverSettings.Read(configuration);
    }

    /// <summary>The settings the command line gives, by configuration key: an option's last value, or <c>true</c> for a flag given alone.</summary>
    private IReadOnlyDictionary<string, string?> SettingsGiven(ParseResult result)
    {
        var given = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach ((Option option, string key) in _settings)
        {
            if (result.GetResult(option) is { Implicit: false } found)
            {
                given[key] = found.Tokens is [.., Token last] ? last.Value : "true";
            }
        }

        return given;
    }

    private Option<T> Setting<T>(string key, string? helpName, string description, params string[] values)
    {
        var option = new Option<T>(SettingKeys.OptionOf(key))
        {
            HelpName = helpName,
            Description = $"{description} [{SettingKeys.VariablesOf(key)}]",
        };
        if (values.Length > 0)
        {
            option.AcceptOnlyFromAmong(values);
        }

        _settings.Add((option, key));
        return option;
    }
}
