using KernelZones.Migration.Lifecycle;

namespace KernelZones.Samples.SenderHost.Commands;

/// <summary><c>zoneadm [-z zone] list [-c] [-v] [-p] [-s]</c>, rendered by <see cref="ZoneHost"/>.</summary>
internal static class ListCommand
{
    public static int Run(ZoneStore store, string? zoneName, bool configured, bool verbose, bool parseable, bool status)
    {
        ZoneHost host = store.Load();
        bool all = configured || zoneName is not null;
        Console.Write(
            status ? host.ListStatus(zoneName)
            : parseable ? host.ListParseable(all, zoneName)
            : verbose ? host.ListVerbose(all, zoneName)
            : Names(host, zoneName, all));
        return 0;
    }

    private static string Names(ZoneHost host, string? zoneName, bool all)
    {
        if (zoneName is not null)
        {
            return host.Get(zoneName).Name + "\n";
        }

        IEnumerable<string> names = host.Zones.Where(z => all || z.State == ZoneState.Running).Select(z => z.Name);
        return string.Concat(names.Prepend("global").Select(n => n + "\n"));
    }
}
