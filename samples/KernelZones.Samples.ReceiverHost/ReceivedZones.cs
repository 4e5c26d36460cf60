using System.Collections.Concurrent;
using KernelZones.Migration;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using Microsoft.Extensions.Logging;

namespace KernelZones.Samples.ReceiverHost;

/// <summary>
/// This host's zones: the <see cref="ZoneHost"/> the destination migrates into, the configurations received
/// (kept as export files in the state directory, as <c>/etc/zones</c> keeps them) and a <c>zoneadm list -s</c>
/// status file rewritten after every change.
/// </summary>
internal sealed class ReceivedZones
{
    private const string ConfigurationExtension = ".cfg";

    private readonly ReceiverSettings _settings;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, Zone> _watched = new(StringComparer.Ordinal);
    private readonly Lock _statusGate = new();

    public ReceivedZones(ReceiverSettings settings, ILogger log)
    {
        _settings = settings;
        _log = log;
    }

    public ZoneHost Host { get; } = new();

    /// <summary>Configures every saved zone, detached: its guest's memory did not survive the last run.</summary>
    public void LoadSaved()
    {
        Directory.CreateDirectory(_settings.ZonesDirectory);
        foreach (string file in Directory.EnumerateFiles(_settings.ZonesDirectory, "*" + ConfigurationExtension).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            Watch(Host.Configure(ZoneConfiguration.ParseExport(File.ReadAllText(file), name)));
            ReceiverLog.ZoneRestored(_log, name, file);
        }

        WriteStatus();
    }

    /// <summary>The hypervisor's hook: the guest a migrating-in zone boots on, sized from its configuration.</summary>
    public IGuest CreateGuest(ZoneConfiguration configuration)
    {
        long memory = configuration.PhysicalMemory?.Bytes
            ?? throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{configuration.ZoneName}': capped-memory physical is not set.");
        var guest = new InMemoryGuest(memory);
        if (Host.Find(configuration.ZoneName) is { } zone)
        {
            Watch(zone);
        }

        return guest;
    }

    public void WriteStatus()
    {
        lock (_statusGate)
        {
            string temporary = _settings.StatusFile + ".new";
            File.WriteAllText(temporary, Host.ListStatus());
            File.Move(temporary, _settings.StatusFile, overwrite: true);
        }
    }

    /// <summary>At a clean stop: the guests are gone with this process, so the status no longer holds.</summary>
    public void RemoveStatus()
    {
        lock (_statusGate)
        {
            File.Delete(_settings.StatusFile);
        }
    }

    private void Watch(Zone zone)
    {
        if (_watched.TryGetValue(zone.Name, out Zone? current) && ReferenceEquals(current, zone))
        {
            return;
        }

        _watched[zone.Name] = zone;
        zone.StateChanged += OnStateChanged;
    }

    private void OnStateChanged(object? sender, ZoneStateChangedEventArgs change)
    {
        Zone zone = change.Zone;
        ReceiverLog.ZoneChanged(_log, zone.Name, change.Previous, change.Current, change.Operation);
        try
        {
            if (change.Operation == ZoneOperation.CompleteMigrationIn)
            {
                string file = Save(zone.Configuration);
                ReceiverLog.ZoneMigratedIn(_log, zone.Name, file);
            }
            else if (zone.IsDeleted)
            {
                zone.StateChanged -= OnStateChanged;
                _watched.TryRemove(new KeyValuePair<string, Zone>(zone.Name, zone));
                ReceiverLog.MigrationDiscarded(_log, zone.Name);
            }

            WriteStatus();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ReceiverLog.SaveFailed(_log, zone.Name, _settings.StateDirectory, e);
        }
    }

    private string Save(ZoneConfiguration configuration)
    {
        string file = Path.Combine(_settings.ZonesDirectory, configuration.ZoneName + ConfigurationExtension);
        string temporary = file + ".new";
        File.WriteAllText(temporary, configuration.ToExport());
        File.Move(temporary, file, overwrite: true);
        return file;
    }
}
