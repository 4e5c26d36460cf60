using KernelZones.Migration;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Lifecycle;
using KernelZones.Samples.SenderHost;
using KernelZones.Samples.SenderHost.Commands;

// The source host as an operator knows it: zonecfg and zoneadm over zones kept in a state directory.
string tool = "zoneadm";
try
{
    (string stateDirectory, string[] command) = CommandLine.SplitGlobalOptions(args);
    if (command is [] or ["--help"] or ["-h"] or [_, "--help"])
    {
        (command is [] ? Console.Error : Console.Out).Write(HelpText.Usage);
        return command is [] ? 2 : 0;
    }

    tool = command[0];
    var store = new ZoneStore(stateDirectory);
    return command switch
    {
        ["zonecfg", "-z", string zone, .. var rest] => ZonecfgCommand.Run(store, zone, rest),
        ["zoneadm", "-z", string zone, "list", .. var flags] => ListCommand.Run(store, zone, flags),
        ["zoneadm", "list", .. var flags] => ListCommand.Run(store, null, flags),
        ["zoneadm", "-z", string zone, "boot"] => StateCommand.Boot(store, zone),
        ["zoneadm", "-z", string zone, "halt"] => StateCommand.Halt(store, zone),
        ["zoneadm", "-z", string zone, "migrate", .. var rest] => await new MigrateCommand(store, zone, MigrateArguments.Parse(rest)).RunAsync(),
        _ => throw new UsageException($"unknown command '{string.Join(' ', command)}'; see --help"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"{tool}: {e.Message}");
    return 2;
}
catch (ZoneStateException e)
{
    Console.Error.WriteLine($"{tool}: {e.Message}");
    return 1;
}
catch (Exception e) when (e is MigrationException or ZoneConfigurationException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"{tool}: {e.Message}");
    return 1;
}
