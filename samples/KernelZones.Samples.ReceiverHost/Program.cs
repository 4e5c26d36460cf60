using KernelZones.Migration;
using KernelZones.Migration.Configuration;
using KernelZones.Samples.ReceiverHost;
using KernelZones.Samples.ReceiverHost.Commands;

// The destination host: the control service (rad:remote) and the data service (kz-migr) over a ZoneHost.
try
{
    var options = new OptionReader(args, ReceiverSettings.Flags, ReceiverSettings.Valued, Environment.GetEnvironmentVariable);
    if (options.IsSet("help"))
    {
        Console.Write(HelpText.Usage);
        return 0;
    }

    var settings = ReceiverSettings.Read(options);
    return options.Positional switch
    {
        [] or ["run"] => await new RunCommand(settings).RunAsync(),
        ["adduser", string user] => new AddUserCommand(settings, options).Run(user),
        ["identity"] => new IdentityCommand(settings).Run(),
        _ => throw new UsageException($"unknown command '{string.Join(' ', options.Positional)}'; see --help"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"ReceiverHost: {e.Message}");
    return 2;
}
catch (Exception e) when (e is MigrationException or ZoneConfigurationException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"ReceiverHost: {e.Message}");
    return 1;
}
