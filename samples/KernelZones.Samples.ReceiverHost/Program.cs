using System.CommandLine;
using System.CommandLine.Parsing;
using KernelZones.Migration;
using KernelZones.Migration.Configuration;
using KernelZones.Samples.ReceiverHost;
using KernelZones.Samples.ReceiverHost.Commands;

// The destination host: the control service (rad:remote) and the data service (kz-migr) over a ZoneHost.
ParseResult command = new ReceiverCommandLine().Root.Parse(args);
if (command.Errors.Count > 0)
{
    foreach (ParseError error in command.Errors)
    {
        Console.Error.WriteLine($"ReceiverHost: {error.Message}");
    }

    Console.Error.WriteLine("ReceiverHost: see --help");
    return 2;
}

try
{
    // The host handles Ctrl-C and SIGTERM itself (a clean stop); exceptions come here, to be told in one line.
    return await command.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (UsageException e)
{
    Console.Error.WriteLine($"ReceiverHost: {e.Message}");
    return 2;
}
catch (Exception e) when (e is StartupException or MigrationException or ZoneConfigurationException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"ReceiverHost: error: {e.Message}");
    return 1;
}
