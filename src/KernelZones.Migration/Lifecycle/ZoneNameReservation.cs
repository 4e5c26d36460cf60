using KernelZones.Migration.Configuration;

namespace KernelZones.Migration.Lifecycle;

/// <summary>
/// A zone name held on a <see cref="ZoneHost"/> while a configuration is being imported. Complete it with
/// <see cref="Configure"/>; disposing an uncompleted reservation frees the name. Thread-safe.
/// </summary>
internal sealed class ZoneNameReservation : IDisposable
{
    private readonly ZoneHost _host;
    private int _state;

    internal ZoneNameReservation(ZoneHost host, string zoneName)
    {
        _host = host;
        ZoneName = zoneName;
    }

    /// <summary>The reserved name.</summary>
    public string ZoneName { get; }

    /// <summary>Adds the zone under the reserved name, in state configured; the reservation is then used up.</summary>
    /// <exception cref="ArgumentException">The configuration is for another zone name.</exception>
    /// <exception cref="InvalidOperationException">The reservation was already completed or disposed.</exception>
    public Zone Configure(ZoneConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.ZoneName != ZoneName)
        {
            throw new ArgumentException($"configuration is for zone '{configuration.ZoneName}', the reservation for '{ZoneName}'", nameof(configuration));
        }

        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException($"the reservation of zone name '{ZoneName}' was already completed or released");
        }

        return _host.CompleteReservation(ZoneName, configuration);
    }

    /// <summary>Frees the name unless <see cref="Configure"/> completed the reservation.</summary>
    public void Dispose()
    {
        if (Interlocked.CompareExchange(ref _state, 2, 0) == 0)
        {
            _host.ReleaseReservation(ZoneName);
        }
    }
}
