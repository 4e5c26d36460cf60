using System.Collections.Concurrent;
using System.Text;
using KernelZones.Migration;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Kvm;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Simulation;
using Microsoft.Extensions.Logging;

namespace KernelZones.Samples.ReceiverHost;

/// <summary>
/// This host's zones: the <see cref="ZoneHost"/> the destination migrates into, the configurations received (made
/// durable in the state directory's <c>zones/</c> before a commit, as <c>/etc/zones</c> keeps them) and a
/// <c>zoneadm list -s</c> status file rewritten atomically after every change. Received zones run on the guests of
/// <see cref="ReceiverSettings.Guest"/>: simulated ones, or KVM virtual machines whose console goes to the log.
/// </summary>
internal sealed class ReceivedZones : IZoneStore, IDisposable
{
    private readonly ReceiverSettings _settings;
    private readonly ILogger _log;
    private readonly ZoneDirectory _directory;
    private readonly Func<ZoneConfiguration, IGuest> _createGuest;
    private readonly ConcurrentDictionary<string, Zone> _watched = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IGuest> _guests = new(StringComparer.Ordinal);
    private readonly Lock _statusGate = new();

    public ReceivedZones(ReceiverSettings settings, ILogger log)
    {
        _settings = settings;
        _log = log;
        _directory = new ZoneDirectory(settings.ZonesDirectory);
        _createGuest = settings.Guest switch
        {
            GuestKind.Kvm => KvmZoneMigration.DestinationGuests(new KvmGuestOptions { DevicePath = settings.KvmDevice }),
            _ => CreateSimulatedGuest,
        };
    }

    public ZoneHost Host { get; } = new();

    /// <summary>
    /// Configures every saved zone, detached (its guest's memory did not survive the last run), and replaces the status
    /// file, which may still show the zones of a run that ended without a clean stop.
    /// </summary>
    public void LoadSaved()
    {
        foreach (ZoneConfiguration configuration in _directory.Load())
        {
            Watch(Host.Configure(configuration));
            ReceiverLog.ZoneRestored(_log, configuration.ZoneName, _directory.FileOf(configuration.ZoneName));
        }

        WriteStatus();
    }

    /// <summary>
    /// The hypervisor's hook: the guest a migrating-in zone boots on, sized from its configuration. A KVM guest's
    /// console lines go to the log once it runs here.
    /// </summary>
    public IGuest CreateGuest(ZoneConfiguration configuration)
    {
        IGuest guest = _createGuest(configuration);
        if (Host.Find(configuration.ZoneName) is { } zone)
        {
            Watch(zone);
        }

        _guests[configuration.ZoneName] = guest;
        if (guest is KvmGuest kvm)
        {
            _ = GuestConsole.CopyToLogAsync(configuration.ZoneName, kvm, _log);
        }

        return guest;
    }

    /// <summary>At a clean stop: the guests end with this process (a guest already discarded with its migration is disposed again, harmlessly).</summary>
    public void Dispose()
    {
        foreach (IGuest guest in _guests.Values)
        {
            (guest as IDisposable)?.Dispose();
        }

        _guests.Clear();
    }

    /// <inheritdoc/>
    public async Task SaveAsync(ZoneConfiguration configuration, CancellationToken cancellationToken)
    {
        string file = _directory.FileOf(configuration.ZoneName);
        try
        {
            await _directory.SaveAsync(configuration, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ReceiverLog.ZoneSaveFailed(_log, configuration.ZoneName, file, e);
            throw;
        }

        ReceiverLog.ZoneSaved(_log, configuration.ZoneName, file);
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string zoneName, CancellationToken cancellationToken)
    {
        await _directory.DeleteAsync(zoneName, cancellationToken);
        ReceiverLog.ZoneRecordRemoved(_log, zoneName, _directory.FileOf(zoneName));
    }

    /// <summary>Replaces the status file in one step (write, flush to disk, rename): a reader never sees half of it.</summary>
    public void WriteStatus()
    {
        lock (_statusGate)
        {
            string temporary = _settings.StatusFile + ".new";
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(Encoding.UTF8.GetBytes(Host.ListStatus()));
                stream.Flush(flushToDisk: true);
            }

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

    /// <summary>
    /// A simulated guest of the zone's memory size. Its device state format is the simulation's: the engine refuses a
    /// zone whose source guest keeps another (a KVM virtual machine's) before any memory moves.
    /// </summary>
    private static InMemoryGuest CreateSimulatedGuest(ZoneConfiguration configuration) =>
        new(configuration.PhysicalMemory?.Bytes
            ?? throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{configuration.ZoneName}': capped-memory physical is not set."));

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
        if (change.Operation == ZoneOperation.CompleteMigrationIn)
        {
            ReceiverLog.ZoneMigratedIn(_log, zone.Name, _directory.FileOf(zone.Name));
        }
        else if (zone.IsDeleted)
        {
            zone.StateChanged -= OnStateChanged;
            _watched.TryRemove(new KeyValuePair<string, Zone>(zone.Name, zone));
            ReceiverLog.MigrationDiscarded(_log, zone.Name);
        }

        try
        {
            WriteStatus();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ReceiverLog.StatusFailed(_log, zone.Name, _settings.StatusFile, e);
        }
    }
}
