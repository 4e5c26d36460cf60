using KernelZones.Migration.Configuration;
using KernelZones.Migration.Lifecycle;

namespace KernelZones.Samples.SenderHost.Commands;

/// <summary>
/// <c>zonecfg -z &lt;zone&gt; info [&lt;resource-type&gt;|&lt;property&gt;]|export</c> and <c>zonecfg -z &lt;zone&gt; -f &lt;file&gt;</c>. A zone created from a file is
/// recorded <c>installed</c>: its storage is shared and already holds the installed zone (this sample has no installer).
/// </summary>
internal static class ZonecfgCommand
{
    public static int Run(ZoneStore store, string zoneName, IReadOnlyList<string> arguments)
    {
        ZoneHost host = store.Load();
        switch (arguments)
        {
            case ["info"]:
                Console.Write(Get(host, zoneName).Configuration.ToInfo());
                return 0;
            case ["info", string scope]:
                try
                {
                    Console.Write(Get(host, zoneName).Configuration.ToInfo(scope));
                    return 0;
                }
                catch (ArgumentException e)
                {
                    throw new UsageException(e.Message);
                }

            case ["export"]:
                Console.Write(Get(host, zoneName).Configuration.ToExport());
                return 0;
            case ["-f", string file]:
                return Create(store, host, zoneName, file);
            default:
                throw new UsageException("usage: zonecfg -z <zone> info [<resource-type>|<property>], export, or -f <export file>");
        }
    }

    private static Zone Get(ZoneHost host, string zoneName) =>
        host.Find(zoneName) ?? throw new ZoneStateException(zoneName, null, ZoneAuxiliaryState.None, ZoneOperation.Reconfigure, "No such zone configured");

    private static int Create(ZoneStore store, ZoneHost host, string zoneName, string file)
    {
        ZoneConfiguration configuration;
        try
        {
            configuration = ZoneConfiguration.ParseExport(File.ReadAllText(file), zoneName);
        }
        catch (ZoneConfigurationException e)
        {
            Console.Error.WriteLine($"zonecfg: zone '{zoneName}': {file}: {e.Message}");
            return 1;
        }

        Zone zone = host.Configure(configuration);
        zone.Install();
        store.Save(zone);
        return 0;
    }
}
