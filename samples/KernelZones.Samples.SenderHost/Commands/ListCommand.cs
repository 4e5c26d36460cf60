using KernelZones.Migration.Lifecycle;

namespace KernelZones.Samples.SenderHost.Commands;

/// <summary><c>zoneadm [-z zone] list [-c] [-v] [-p] [-s]</c>, rendered by <see cref="ZoneHost"/>.</summary>
internal static class ListCommand
{
    public static int Run(ZoneStore store, string? zoneName, IReadOnlyList<string> flags)
    {
        HashSet<char> letters = CommandLine.Letters(flags, "cvps");
        ZoneHost host = store.Load();
        bool all = letters.Contains('c') || zoneName is not null;
        Console.Write(
            letters.Contains('s') ? host.ListStatus(zoneName)
            : letters.Contains('p') ? host.ListParseable(all, zoneName)
            : letters.Contains('v') ? host.ListVerbose(all, zoneName)
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
