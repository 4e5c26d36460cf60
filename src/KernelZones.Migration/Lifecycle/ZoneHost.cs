using KernelZones.Migration.Configuration;

namespace KernelZones.Migration.Lifecycle;

/// <summary>
/// The zones of one host, as zoneadm and zonecfg see them: configure (import) a configuration, find, delete,
/// reserve a name for an import in progress, and render <c>zoneadm list</c>. Thread-safe: every member may be
/// called concurrently; a name is either free, reserved or taken, atomically.
/// </summary>
public sealed partial class ZoneHost
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Zone?> _zones = new(StringComparer.Ordinal);
    private long _creationOrder;
    private int _lastZoneId;

    /// <summary>A snapshot of the zones, in listing order (running zones by id, then the others in creation order).</summary>
    public IReadOnlyList<Zone> Zones
    {
        get
        {
            Zone[] zones;
            lock (_gate)
            {
                // A zone being deleted raises its last StateChanged before the host forgets it: never list it.
                zones = [.. _zones.Values.OfType<Zone>().Where(z => !z.IsDeleted)];
            }

            return [.. zones.Select(z => (Zone: z, z.Status))
                .OrderBy(e => e.Status.Id ?? int.MaxValue)
                .ThenBy(e => e.Zone.CreationOrder)
                .Select(e => e.Zone)];
        }
    }

    /// <summary>Adds a zone in state <c>configured</c> (<c>zonecfg -z name -f file</c>).</summary>
    /// <exception cref="ZoneStateException">A zone of that name exists or the name is reserved.</exception>
    public Zone Configure(ZoneConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        lock (_gate)
        {
            ThrowIfTaken(configuration.ZoneName);
            return AddLocked(configuration);
        }
    }

    /// <summary>
    /// Reserves a zone name so that no other caller can configure or reserve it until the reservation is
    /// completed (<see cref="ZoneNameReservation.Configure"/>) or disposed.
    /// </summary>
    /// <exception cref="ZoneStateException">A zone of that name exists or the name is reserved.</exception>
    /// <exception cref="ZoneConfigurationException">The name is not a valid zone name.</exception>
    internal ZoneNameReservation Reserve(string zoneName)
    {
        ArgumentNullException.ThrowIfNull(zoneName);
        new ZoneConfigurationBuilder(zoneName).Build();
        lock (_gate)
        {
            ThrowIfTaken(zoneName);
            _zones.Add(zoneName, null);
        }

        return new ZoneNameReservation(this, zoneName);
    }

    /// <summary>Reserves a zone name if it is free; see <see cref="Reserve"/>.</summary>
    /// <returns><see langword="false"/> when a zone of that name exists or the name is reserved.</returns>
    internal bool TryReserve(string zoneName, [NotNullWhen(true)] out ZoneNameReservation? reservation)
    {
        ArgumentNullException.ThrowIfNull(zoneName);
        new ZoneConfigurationBuilder(zoneName).Build();
        lock (_gate)
        {
            reservation = _zones.TryAdd(zoneName, null) ? new ZoneNameReservation(this, zoneName) : null;
        }

        return reservation is not null;
    }

    /// <summary>The zone of that name, or <see langword="null"/> (also while the name is only reserved).</summary>
    public Zone? Find(string zoneName)
    {
        ArgumentNullException.ThrowIfNull(zoneName);
        lock (_gate)
        {
            return _zones.GetValueOrDefault(zoneName);
        }
    }

    /// <summary>The zone of that name.</summary>
    /// <exception cref="ZoneStateException">No such zone.</exception>
    public Zone Get(string zoneName)
        => Find(zoneName) ?? throw new ZoneStateException(zoneName, null, ZoneAuxiliaryState.None, ZoneOperation.Reconfigure, "No such zone configured");

    /// <summary>Deletes a configured (not installed) zone (<c>zonecfg -z name delete</c>).</summary>
    /// <exception cref="ZoneStateException">No such zone, or it is not in state configured.</exception>
    public void Delete(string zoneName)
    {
        Zone zone = Get(zoneName);
        zone.Delete();
        lock (_gate)
        {
            if (_zones.TryGetValue(zoneName, out Zone? current) && ReferenceEquals(current, zone))
            {
                _zones.Remove(zoneName);
            }
        }
    }

    internal Zone CompleteReservation(string zoneName, ZoneConfiguration configuration)
    {
        lock (_gate)
        {
            _zones.Remove(zoneName);
            return AddLocked(configuration);
        }
    }

    internal void ReleaseReservation(string zoneName)
    {
        lock (_gate)
        {
            if (_zones.TryGetValue(zoneName, out Zone? zone) && zone is null)
            {
                _zones.Remove(zoneName);
            }
        }
    }

    private Zone AddLocked(ZoneConfiguration configuration)
    {
        var zone = new Zone(configuration, () => Interlocked.Increment(ref _lastZoneId), ++_creationOrder);
        _zones.Add(configuration.ZoneName, zone);
        return zone;
    }

    private void ThrowIfTaken(string zoneName)
    {
        if (_zones.TryGetValue(zoneName, out Zone? existing))
        {
            ZoneStatus status = existing?.Status ?? default;
            throw new ZoneStateException(zoneName, existing is null ? null : status.State, status.AuxiliaryState, ZoneOperation.Reconfigure,
                existing is null ? "zone name is reserved by another operation in progress." : "zone already exists.");
        }
    }
}
