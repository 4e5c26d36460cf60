using System.Net;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Transport.Striping;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KernelZones.Samples.ReceiverHost;

/// <summary>
/// The two services (rad:remote and kz-migr) as the host's service: a <see cref="MigrationDestination"/> over this
/// host's <see cref="ReceivedZones"/>. Construction loads the identity, the users and the saved zones; starting binds
/// both listeners (so the host reports itself started, and READY=1 to systemd, only once both accept connections);
/// stopping aborts migrations in flight, whose sources keep their zones.
/// </summary>
internal sealed class ReceiverService : IHostedService, IAsyncDisposable
{
    private readonly ReceiverSettings _settings;
    private readonly ILogger _log;
    private readonly ServerIdentity _identity;
    private readonly UserDatabase _users;
    private readonly ReceivedZones _zones;
    private readonly MigrationDestination _destination;

    public ReceiverService(ReceiverSettings settings, ILoggerFactory loggers)
    {
        _settings = settings;
        _log = loggers.CreateLogger("KernelZones.Samples.ReceiverHost");
        _identity = ServerIdentity.LoadOrCreate(settings.IdentityDirectory, settings.HostName, loggers);
        try
        {
            _users = ReceiverUsers.Load(settings, loggers);
            _zones = new ReceivedZones(settings, _log);
            _zones.LoadSaved();
        }
        catch
        {
            _identity.Dispose();
            throw;
        }

        var control = new ControlServiceOptions
        {
            ListenAddress = settings.ControlAddress,
            Port = settings.ControlPort,
            Identity = _identity,
            Users = _users,
            Offer = new HostOffer { HostName = settings.HostName, AllowNone = settings.AllowNone },
            LoggerFactory = loggers,
        };
        _destination = new MigrationDestination(_zones.Host, new MigrationDestinationOptions
        {
            Control = settings.PeerTimeout is { } idle ? control with { IdleTimeout = idle } : control,
            Transport = settings.PeerTimeout is { } peerTimeout ? new StripeOptions { PeerTimeout = peerTimeout } : StripeOptions.Default,
            DataEndPoint = new IPEndPoint(settings.DataAddress, settings.DataPort),
            MaxStripes = settings.MaxStripes,
            CreateGuest = _zones.CreateGuest,
            Capabilities = new DestinationCapabilities { FreeMemoryBytes = HostMemory.AvailableBytes() },
            ZoneStore = _zones,
        });
    }

    /// <summary>Binds both listeners and prints where they are.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _destination.Start();
        ServiceStatus.Print(Console.Out, DateTime.Now, _destination, _settings, _identity, _users);
        return Task.CompletedTask;
    }

    /// <summary>Closes both listeners and every connection: migrations in flight abort and are discarded here.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        ReceiverLog.Stopping(_log);
        await _destination.DisposeAsync();
        _zones.Dispose();
        _zones.RemoveStatus();
        ReceiverLog.Stopped(_log);
    }

    public async ValueTask DisposeAsync()
    {
        await _destination.DisposeAsync();
        _zones.Dispose();
        _identity.Dispose();
    }
}
