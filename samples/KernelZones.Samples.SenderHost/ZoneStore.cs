using KernelZones.Migration.Configuration;
using KernelZones.Migration.Lifecycle;
using KernelZones.Samples.SenderHost.Guests;

namespace KernelZones.Samples.SenderHost;

/// <summary>
/// The sender's zones on disk, as <c>/etc/zones</c> keeps them: <c>zones/&lt;zone&gt;.cfg</c> (the <c>zonecfg export</c>
/// text) and <c>zones/&lt;zone&gt;.state</c> (the recorded state: configured, installed, running or unavailable),
/// so that each invocation sees what the previous ones did; <c>zones/&lt;zone&gt;.guest</c> holds the guest its last boot
/// chose. Also holds the known-hosts file of pinned destinations.
/// </summary>
internal sealed class ZoneStore
{
    private const string ConfigurationExtension = ".cfg";
    private const string StateExtension = ".state";
    private const string GuestExtension = ".guest";

    public ZoneStore(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string KnownHostsPath => Path.Combine(Directory, "known_hosts");

    private string ZonesDirectory => Path.Combine(Directory, "zones");

    /// <summary>A host holding every saved zone in its recorded state.</summary>
    /// <exception cref="InvalidDataException">A state file holds an unknown state.</exception>
    public ZoneHost Load()
    {
        var host = new ZoneHost();
        if (!System.IO.Directory.Exists(ZonesDirectory))
        {
            return host;
        }

        foreach (string file in System.IO.Directory.EnumerateFiles(ZonesDirectory, "*" + ConfigurationExtension).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            Zone zone = host.Configure(ZoneConfiguration.ParseExport(File.ReadAllText(file), name));
            string stateFile = Path.ChangeExtension(file, StateExtension);
            Restore(zone, File.Exists(stateFile) ? File.ReadAllText(stateFile).Trim() : "configured", stateFile);
        }

        return host;
    }

    /// <summary>Writes the zone's configuration and state (each file replaced whole).</summary>
    public void Save(Zone zone)
    {
        System.IO.Directory.CreateDirectory(ZonesDirectory);
        string state = zone.Status.StateName;
        Replace(Path.Combine(ZonesDirectory, zone.Name + ConfigurationExtension), zone.Configuration.ToExport());
        Replace(Path.Combine(ZonesDirectory, zone.Name + StateExtension), state + "\n");
    }

    /// <summary>Records the guest a boot chose (the file replaced whole).</summary>
    public void SaveGuest(string zoneName, GuestChoice choice)
    {
        System.IO.Directory.CreateDirectory(ZonesDirectory);
        Replace(Path.Combine(ZonesDirectory, zoneName + GuestExtension), choice.Format() + "\n");
    }

    /// <summary>The guest the zone's last boot chose; <see cref="GuestChoice.Default"/> when none was recorded.</summary>
    /// <exception cref="InvalidDataException">The file names an unknown guest kind.</exception>
    public GuestChoice LoadGuest(string zoneName)
    {
        string file = Path.Combine(ZonesDirectory, zoneName + GuestExtension);
        try
        {
            return File.Exists(file) ? GuestChoice.Parse(File.ReadAllText(file)) : GuestChoice.Default;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{file}: {e.Message}", e);
        }
    }

    /// <summary>The names of the saved zones, for completing <c>-z</c>.</summary>
    public IEnumerable<string> ZoneNames() =>
        System.IO.Directory.Exists(ZonesDirectory)
            ? System.IO.Directory.EnumerateFiles(ZonesDirectory, "*" + ConfigurationExtension).Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)
            : [];

    private static void Restore(Zone zone, string state, string stateFile)
    {
        switch (state)
        {
            case "configured":
                break;
            case "installed":
                zone.Install();
                break;
            case "running":
                zone.Install();
                zone.Boot();
                break;
            case "unavailable":
                zone.Install();
                zone.MarkUnavailable();
                break;
            default:
                throw new InvalidDataException($"{stateFile}: unknown zone state '{state}' (expected configured, installed, running or unavailable)");
        }
    }

    private static void Replace(string path, string text)
    {
        string temporary = path + ".new";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
