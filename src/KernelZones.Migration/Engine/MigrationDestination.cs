using System.Collections.Concurrent;
using KernelZones.Migration.Control;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Engine;

/// <summary>
/// A destination host's migration services: the control service (Solaris's <c>rad:remote</c>) and the data
/// service (<c>kz-migr</c>), accepting live migrations into a <see cref="ZoneHost"/>.
/// </summary>
/// <remarks>
/// A migration that fails or is cancelled before the commit leaves the host as it was: the imported zone is
/// deleted (or its earlier configuration restored) and its guest released. Thread-safe; several migrations may
/// run at once, a zone name only once at a time.
/// <para>For in-doubt recovery (<see cref="MigrationSource.QueryIncomingStateAsync"/>) the host remembers every migration
/// under way and the outcomes of the last 1,024 that finished; older ones are forgotten in the order they finished
/// and are then reported as <see cref="IncomingMigrationState.Unknown"/>.</para>
/// </remarks>
public sealed class MigrationDestination : IAsyncDisposable
{
    private readonly ZoneHost _host;
    private readonly MigrationDestinationOptions _options;
    private readonly ConcurrentDictionary<string, IGuest> _guests = new(StringComparer.Ordinal);
    private readonly IncomingMigrationTable _outcomes = new();
    private StripeListener? _data;
    private ControlService? _control;

    /// <summary>Creates stopped services for <paramref name="host"/>.</summary>
    /// <param name="host">Where migrated zones are configured and run.</param>
    /// <param name="options">Settings; <see cref="MigrationDestinationOptions.Control"/> is required.</param>
    public MigrationDestination(ZoneHost host, MigrationDestinationOptions options)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        _host = host;
        _options = options;
    }

    /// <summary>The control service's port once started.</summary>
    public int ControlPort => _control?.Port ?? 0;

    /// <summary>The data service's port once started.</summary>
    public int DataPort => _data?.LocalEndPoint.Port ?? 0;

    /// <summary>The zones this host accepts, and the ones it runs after a migration.</summary>
    public ZoneHost Host => _host;

    /// <summary>Starts both services.</summary>
    /// <exception cref="MigrationException">A port cannot be bound.</exception>
    public void Start()
    {
        try
        {
            // One logger factory for every layer: the data service logs where the control service does unless told otherwise.
            StripeOptions transport = _options.Transport.LoggerFactory is null && _options.Control.LoggerFactory is { } loggers
                ? _options.Transport with { LoggerFactory = loggers }
                : _options.Transport;
            _data = StripeListener.Start(_options.DataEndPoint, transport);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new MigrationException(MigrationFailureKind.Connection, $"The data service cannot listen on {_options.DataEndPoint}: {ex.Message}", ex);
        }

        _control = new ControlService(_options.Control, HandleAsync);
        _control.Start();
    }

    /// <summary>The guest a zone migrated into this host runs on, or <see langword="null"/>.</summary>
    /// <param name="zoneName">The zone's name.</param>
    public IGuest? FindGuest(string zoneName) => _guests.GetValueOrDefault(zoneName);

    /// <summary>Stops both services; in-flight migrations abort and are discarded (their sources keep their zones).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_control is not null)
        {
            await _control.DisposeAsync().ConfigureAwait(false);
        }

        if (_data is not null)
        {
            await _data.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Memory transfers negotiated and not yet released (each migration releases its own when it ends).</summary>
    internal int PendingTransfers => _data?.PendingTransfers ?? 0;

    /// <summary>Connections the control service holds in their handshake now.</summary>
    internal int ControlHandshakesInProgress => _control?.HandshakesInProgress ?? 0;

    /// <summary>Connections the data service holds in their handshake now.</summary>
    internal int DataHandshakesInProgress => _data?.HandshakesInProgress ?? 0;

    /// <summary>Completes when every control connection open at the call has ended (each migration on it discarded or resumed).</summary>
    internal Task WhenConnectionsEndedAsync() => _control?.WhenConnectionsEndedAsync() ?? Task.CompletedTask;

    private async Task HandleAsync(ControlConnection connection, CancellationToken cancellationToken)
    {
        var migration = new DestinationMigration(connection, _host, _options, _data!, _guests, _outcomes);
        await migration.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
