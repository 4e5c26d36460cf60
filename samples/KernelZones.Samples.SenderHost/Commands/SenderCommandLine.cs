using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Samples.SenderHost.Guests;

namespace KernelZones.Samples.SenderHost.Commands;

/// <summary>
/// SenderHost's command line, declared: <c>zonecfg</c> and <c>zoneadm</c> with Solaris's option letters (combinable,
/// <c>-nq</c>, <c>-cv</c>), and the global <c>--state-dir</c>. <c>--help</c> at every level, the parse errors and tab
/// completion (the <c>[suggest]</c> directive, zone names included) come from these declarations.
/// </summary>
internal static class SenderCommandLine
{
    /// <summary>Options and arguments are taken literally: no <c>@file</c> expansion (a remote is <c>user@host</c>).</summary>
    public static ParserConfiguration Parsing { get; } = new() { ResponseFileTokenReplacer = null };

    public static RootCommand Create()
    {
        var stateDirectory = new Option<string>("--state-dir")
        {
            HelpName = "dir",
            Recursive = true,
            Description = "Where the zones are kept (else KZ_STATE_DIR, else the per-user default): zones/<zone>.cfg, the configuration "
                + "in zonecfg export form; zones/<zone>.state, the recorded state (zonecfg -f records installed, boot running, halt "
                + "installed, a migration away configured, a commit not acknowledged unavailable); zones/<zone>.guest, the guest "
                + "boot chose; known_hosts, the destinations' certificate fingerprints pinned on first use.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("KZ_STATE_DIR") is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultStateDirectory(),
        };
        ZoneStore Store(ParseResult result) => new(Path.GetFullPath(result.GetValue(stateDirectory)!));
        return new RootCommand("SenderHost: a kernel zone migration source, as zonecfg and zoneadm.")
        {
            stateDirectory,
            Zonecfg(Store),
            Zoneadm(Store),
        };
    }

    private static Command Zonecfg(Func<ParseResult, ZoneStore> store)
    {
        Option<string> zone = ZoneOption(store);
        var file = new Option<string>("-f")
        {
            HelpName = "export file",
            Description = "Create the zone from a zonecfg export file; it is recorded installed (its storage is shared and holds the installed zone).",
        };
        var scope = new Argument<string?>("resource-or-property") { Arity = ArgumentArity.ZeroOrOne, Description = "Only this resource or property." };
        var info = new Command("info", "Print the configuration (zonecfg -z <zone> info) as zonecfg info does.") { scope };
        info.SetAction(result => ZonecfgCommand.Run(store(result), result.GetRequiredValue(zone), result.GetValue(scope) is { } name ? ["info", name] : ["info"]));
        var export = new Command("export", "Print the configuration (zonecfg -z <zone> export) as zonecfg commands, the form -f reads.");
        export.SetAction(result => ZonecfgCommand.Run(store(result), result.GetRequiredValue(zone), ["export"]));
        foreach (Command printing in (Command[])[info, export])
        {
            RequireZone(printing, zone);
            printing.Validators.Add(command =>
            {
                if (command.GetResult(file) is not null)
                {
                    command.AddError($"-f creates the zone; it is not taken with '{command.Command.Name}'");
                }
            });
        }

        var zonecfg = new Command("zonecfg", "A zone's configuration: zonecfg -z <zone> info|export, or zonecfg -z <zone> -f <export file>.")
        {
            zone, file, info, export,
        };
        RequireZone(zonecfg, zone);
        zonecfg.SetAction(result => ZonecfgCommand.Run(store(result), result.GetRequiredValue(zone), result.GetValue(file) is { } path ? ["-f", path] : []));
        return zonecfg;
    }

    private static Command Zoneadm(Func<ParseResult, ZoneStore> store)
    {
        Option<string> zone = ZoneOption(store);
        return new Command("zoneadm", "Zones' states, and live migration.")
        {
            zone,
            List(zone, store),
            Boot(zone, store),
            Halt(zone, store),
            Migrate(zone, store),
        };
    }

    private static Command List(Option<string> zone, Func<ParseResult, ZoneStore> store)
    {
        var all = new Option<bool>("-c") { Description = "Every configured zone, not only running ones." };
        var verbose = new Option<bool>("-v") { Description = "Verbose: ID, name, status, path, brand, IP type." };
        var parseable = new Option<bool>("-p") { Description = "Parseable: id:name:state:path:uuid:brand:ip-type." };
        var status = new Option<bool>("-s") { Description = "Status and auxiliary state." };
        var list = new Command("list", "List zones (-z: only that zone).") { all, verbose, parseable, status };
        list.SetAction(result => ListCommand.Run(
            store(result), result.GetValue(zone), result.GetValue(all), result.GetValue(verbose), result.GetValue(parseable), result.GetValue(status)));
        return list;
    }

    private static Command Boot(Option<string> zone, Func<ParseResult, ZoneStore> store)
    {
        var guest = new Option<string>("--guest")
        {
            HelpName = "sim|kvm",
            Description = "The zone's guest, booted by migrate in the migrating process: a simulated guest, or a KVM virtual machine "
                + "running the guest program (needs /dev/kvm; its console lines are printed while it migrates).",
            DefaultValueFactory = _ => GuestChoice.Name(GuestKind.Sim),
        };
        guest.AcceptOnlyFromAmong(GuestChoice.Name(GuestKind.Sim), GuestChoice.Name(GuestKind.Kvm));
        Option<string> workload = WorkloadOption();
        var boot = new Command("boot", "Boot the zone (zoneadm -z <zone> boot): record it running, with its guest.") { guest, workload };
        RequireZone(boot, zone);
        boot.SetAction(result => StateCommand.Boot(
            store(result), result.GetRequiredValue(zone), GuestChoice.Parse(result.GetRequiredValue(guest)) with { Workload = result.GetValue(workload) }));
        return boot;
    }

    private static Command Halt(Option<string> zone, Func<ParseResult, ZoneStore> store)
    {
        var halt = new Command("halt", "Halt the zone (zoneadm -z <zone> halt): record it installed.");
        RequireZone(halt, zone);
        halt.SetAction(result => StateCommand.Halt(store(result), result.GetRequiredValue(zone)));
        return halt;
    }

    private static Command Migrate(Option<string> zone, Func<ParseResult, ZoneStore> store)
    {
        var dryRun = new Option<bool>("-n") { Description = "Dry run: import, attach, boot in migrating-in mode, check compatibility, clean up." };
        var quiet = new Option<bool>("-q") { Description = "Quiet: no step messages, no progress, no guest console, no summary." };
        var cipher = new Option<string>("-c")
        {
            HelpName = "cipher|list|none",
            Description = "The memory stream's cipher (default: the first both hosts offer); 'list' prints both hosts' ciphers; 'none' needs the receiver's --allow-none.",
        };
        cipher.CompletionSources.Add([.. CipherSuite.Known, "list"]);
        var type = new Option<string>("-t")
        {
            HelpName = "auto|live",
            Description = "Both migrate a running zone live (cold and warm migration are not offered); live refuses a zone that is not running.",
            DefaultValueFactory = _ => "auto",
        };
        type.AcceptOnlyFromAmong("auto", "live");
        var keyFile = new Option<string>("-i") { HelpName = "key file", Description = "The ECDSA P-256 private key (PEM) for ssh:// (default ~/.ssh/id_ecdsa)." };
        var passwordFile = new Option<string>("--password-file")
        {
            HelpName = "file",
            Description = "The password for rads:// and plain hosts in the file's first line (else KZ_PASSWORD, else a prompt without echo, or one line of redirected standard input).",
        };
        Option<string> workload = WorkloadOption(", for this migration (default: what boot recorded)");
        var peerTimeout = new Option<TimeSpan?>("--peer-timeout")
        {
            HelpName = "seconds",
            Description = "Fail when the destination stays silent this many seconds, 1 to 3600 (else KZ_PEER_TIMEOUT; default 120 on the control connection, 30 on the data connections).",
            CustomParser = result => Seconds(result.Tokens[0].Value, problem => result.AddError($"--peer-timeout {result.Tokens[0].Value}: {problem}")),
        };
        var remote = new Argument<string>("remote")
        {
            Description = "host, host:port, user@host[:port], rads://[user@]host[:port] (password) or ssh://[user@]host[:port] (key); port 12302 and the current user by default.",
        };
        var migrate = new Command("migrate", "Live-migrate the running zone (zoneadm -z <zone> migrate) to <remote>. Exit status: 0 success; 1 failure (zoneadm: zone '<zone>': migrate failed.), "
            + "the zone runs on here; 2 usage error; 3 the destination did not acknowledge the commit (the zone may run there, it is marked unavailable here).")
        {
            dryRun, quiet, cipher, type, keyFile, passwordFile, workload, peerTimeout, remote,
        };
        RequireZone(migrate, zone);
        migrate.SetAction((result, _) => new MigrateCommand(store(result), result.GetRequiredValue(zone), new MigrateArguments
        {
            DryRun = result.GetValue(dryRun),
            Quiet = result.GetValue(quiet),
            Cipher = result.GetValue(cipher),
            LiveOnly = result.GetValue(type) == "live",
            KeyFile = result.GetValue(keyFile),
            PasswordFile = result.GetValue(passwordFile),
            Workload = result.GetValue(workload),
            PeerTimeout = result.GetValue(peerTimeout) ?? PeerTimeoutFromEnvironment(),
            Remote = result.GetRequiredValue(remote),
        }).RunAsync());
        return migrate;
    }

    /// <summary><c>-z &lt;zone&gt;</c>, completed with the zones of the state directory.</summary>
    private static Option<string> ZoneOption(Func<ParseResult, ZoneStore> store)
    {
        var zone = new Option<string>("-z") { HelpName = "zone", Description = "The zone." };
        zone.CompletionSources.Add(context => store(context.ParseResult).ZoneNames());
        return zone;
    }

    private static Option<string> WorkloadOption(string scope = "") => new("--workload")
    {
        HelpName = "none|<MiB/s>[:<working set>]",
        Description = $"How fast the guest dirties its memory, and over how much of it{scope}; else KZ_WORKLOAD, else 16 MiB/s over a quarter of memory (at most 256M); 'none' for an idle guest.",
    };

    /// <summary>A zone is required by <paramref name="command"/> (the option belongs to its parent, whose <c>Required</c> a subcommand does not check).</summary>
    private static void RequireZone(Command command, Option<string> zone) =>
        command.Validators.Add(result =>
        {
            if (result.GetResult(zone) is null)
            {
                string tool = result.Parent is CommandResult { Parent: CommandResult } parent ? parent.Command.Name : command.Name;
                result.AddError(tool == command.Name ? $"{tool} needs a zone: {tool} -z <zone> ..." : $"'{command.Name}' needs a zone: {tool} -z <zone> {command.Name}");
            }
        });

    private static TimeSpan? PeerTimeoutFromEnvironment() =>
        Environment.GetEnvironmentVariable("KZ_PEER_TIMEOUT") is { Length: > 0 } text
            ? Seconds(text, problem => throw new UsageException($"KZ_PEER_TIMEOUT={text}: {problem}"))
            : null;

    private static TimeSpan? Seconds(string text, Action<string> error)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds is >= 1 and <= 3600)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        error("not a number of seconds from 1 to 3600");
        return null;
    }

    private static string DefaultStateDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "kernelzones", "sender");
}
