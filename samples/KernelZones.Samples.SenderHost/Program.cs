using System.CommandLine;
using System.CommandLine.Invocation;
using KernelZones.Migration;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Lifecycle;
using KernelZones.Samples.SenderHost;
using KernelZones.Samples.SenderHost.Commands;

// The source host as an operator knows it: zonecfg and zoneadm over zones kept in a state directory.
ParseResult command = SenderCommandLine.Create().Parse(args, SenderCommandLine.Parsing);
string tool = UsageErrors.Tool(command);
if (command.Action is ParseErrorAction)
{
    UsageErrors.Write(command, Console.Error);
    return 2;
}

try
{
    // migrate handles Ctrl-C and SIGTERM itself (cancel before the commit point, then report the signal).
    return await command.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
}
catch (UsageException e)
{
    Console.Error.WriteLine($"{tool}: {e.Message}");
    return 2;
}
catch (Exception e) when (e is ZoneStateException or MigrationException or ZoneConfigurationException or InvalidDataException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"{tool}: {e.Message}");
    return 1;
}
