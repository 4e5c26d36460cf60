using System.Collections.Concurrent;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Precopy;
using KernelZones.Migration.Transport;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Engine;

/// <summary>One incoming migration on one control connection: answers the source's steps and discards everything unless committed.</summary>
internal sealed class DestinationMigration
{
    private readonly ControlConnection _connection;
    private readonly ZoneHost _host;
    private readonly MigrationDestinationOptions _options;
    private readonly StripeListener _data;
    private readonly ConcurrentDictionary<string, IGuest> _guests;
    private readonly ConcurrentDictionary<Guid, MigrationOutcomeState> _outcomes;
    private Zone? _zone;
    private ZoneConfiguration? _previousConfiguration;
    private bool _imported;
    private IGuest? _guest;
    private GuestMemorySink? _sink;
    private StripedTransfer? _transfer;
    private Guid _migrationId;
    private bool _committed;

    public DestinationMigration(ControlConnection connection, ZoneHost host, MigrationDestinationOptions options, StripeListener data, ConcurrentDictionary<string, IGuest> guests, ConcurrentDictionary<Guid, MigrationOutcomeState> outcomes)
    {
        _connection = connection;
        _host = host;
        _options = options;
        _data = data;
        _guests = guests;
        _outcomes = outcomes;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!_committed)
            {
                var message = await _connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                if (!await HandleAsync(message, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is MigrationException or ZoneStateException or ZoneConfigurationException or TransportException)
        {
            var failure = ex as MigrationException ?? new MigrationException(ex is TransportException ? MigrationFailureKind.Connection : MigrationFailureKind.Compatibility, ex.Message, ex);
            await _connection.SendErrorAsync(failure, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (!_committed)
            {
                await DiscardAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Handles one message; false when the conversation is over.</summary>
    private async Task<bool> HandleAsync(ControlMessage message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case QueryOutcome query:
                await _connection.SendAsync(new Outcome(query.MigrationId, _outcomes.GetValueOrDefault(query.MigrationId, MigrationOutcomeState.Unknown)), cancellationToken).ConfigureAwait(false);
                return false;
            case ImportConfiguration import:
                await _connection.SendAsync(new ConfigurationImported(Import(import)), cancellationToken).ConfigureAwait(false);
                return true;
            case Attach:
                Zone().Attach();
                break;
            case BootMigratingIn:
                await BootAsync(cancellationToken).ConfigureAwait(false);
                break;
            case CheckCompatibility check:
                var report = CompatibilityCheck.Run(check.Requirements, ZoneRequirementsMapping.From(Zone().Configuration), _options.Capabilities with { IsZoneRunning = IsRunningElsewhere });
                await _connection.SendAsync(new CompatibilityResult(report.Problems), cancellationToken).ConfigureAwait(false);
                return true;
            case Negotiate negotiate:
                await _connection.SendAsync(Negotiate(negotiate), cancellationToken).ConfigureAwait(false);
                return true;
            case StartTransfer:
                await _transfer!.WaitForStripesAsync(cancellationToken).WaitAsync(_options.StripeWait, cancellationToken).ConfigureAwait(false);
                break;
            case RoundComplete:
                return true;
            case Switchover:
                await _transfer!.CompleteAsync(cancellationToken).ConfigureAwait(false);
                byte[] verification = MigrationVerification.Encode(_sink!.Digest, _sink.DeviceState);
                await _connection.SendAsync(new VerifyResult(_sink.ArrivedPages, verification), cancellationToken).ConfigureAwait(false);
                return true;
            case Commit:
                await CommitAsync(cancellationToken).ConfigureAwait(false);
                return false;
            case Abort:
                await DiscardAsync().ConfigureAwait(false);
                await _connection.SendAsync(new Acknowledged(MessageKind.Abort), cancellationToken).ConfigureAwait(false);
                return false;
            default:
                throw new MigrationException(MigrationFailureKind.Protocol, $"Unexpected {message.Kind} message at this point of the migration.");
        }

        await _connection.SendAsync(new Acknowledged(message.Kind), cancellationToken).ConfigureAwait(false);
        return true;
    }

    private Zone Zone() => _zone ?? throw new MigrationException(MigrationFailureKind.Protocol, "No zone configuration was imported on this connection.");

    private bool IsRunningElsewhere(string zoneName) => _host.Find(zoneName) is { } zone && zone != _zone && zone.State == ZoneState.Running;

    /// <summary>Imports the configuration, or finds an identical one; returns whether an existing one is used.</summary>
    private bool Import(ImportConfiguration import)
    {
        if (!_connection.Authorization.Allows(import.ZoneName))
        {
            throw new MigrationException(MigrationFailureKind.Authorization, $"User '{_connection.User}' is not authorized to migrate zone '{import.ZoneName}' into this host.");
        }

        ZoneConfiguration configuration;
        try
        {
            configuration = ZoneConfiguration.ParseExport(import.ExportText, import.ZoneName);
        }
        catch (ZoneConfigurationException ex)
        {
            throw new MigrationException(MigrationFailureKind.Compatibility, $"configuration failed:\n-----BEGIN CONFIGURATION-----\n{import.ExportText.TrimEnd()}\n-----END CONFIGURATION-----\nError received from the target machine:\n{ex.Message}", ex);
        }

        if (_host.Find(import.ZoneName) is { } existing)
        {
            if (existing.State != ZoneState.Configured)
            {
                throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{import.ZoneName}' is {existing.Status} on this host; only a configured (detached) zone can receive a migration.");
            }

            _zone = existing;
            if (existing.Configuration.Equals(configuration))
            {
                return true;
            }

            _previousConfiguration = existing.Configuration;
            existing.UpdateConfiguration(configuration);
            return false;
        }

        using var reservation = _host.Reserve(import.ZoneName);
        _zone = reservation.Configure(configuration);
        _imported = true;
        return false;
    }

    private async Task BootAsync(CancellationToken cancellationToken)
    {
        var zone = Zone();
        _guest = _options.CreateGuest(zone.Configuration);
        await _guest.Cpus.SuspendAsync(cancellationToken).ConfigureAwait(false); // no vCPU runs until the image is complete
        zone.BootMigratingIn();
    }

    private NegotiateResult Negotiate(Negotiate request)
    {
        if (_guest is null || request.MemoryBytes != _guest.Memory.Size)
        {
            throw new MigrationException(MigrationFailureKind.Protocol, $"Negotiation before the zone was booted in migrating-in mode, or for {request.MemoryBytes} bytes instead of the zone's {_guest?.Memory.Size}.");
        }

        var result = MigrationSession.Create(request, _connection.PeerHello, _connection.LocalHello, _options.AdvertisedDataPort > 0 ? _options.AdvertisedDataPort : _data.LocalEndPoint.Port, _options.MaxStripes);
        using var descriptor = new TransferDescriptor(result.MigrationId, result.SessionSecret, result.Cipher, result.StripeCount);
        _sink = new GuestMemorySink(_guest.Memory);
        _transfer = _data.Expect(descriptor, _sink);
        _migrationId = result.MigrationId;
        _outcomes[_migrationId] = MigrationOutcomeState.InProgress;
        return result;
    }

    private async Task CommitAsync(CancellationToken cancellationToken)
    {
        _committed = true;
        _outcomes[_migrationId] = MigrationOutcomeState.Committed;
        try
        {
            var guest = _guest!;
            guest.Devices.Restore(_sink!.DeviceState);
            await guest.Cpus.ResumeAsync(cancellationToken).ConfigureAwait(false);
            Zone().CompleteMigrationIn();
            _guests[Zone().Name] = guest;
            _outcomes[_migrationId] = MigrationOutcomeState.Resumed;
            await _connection.SendAsync(new Resumed(_migrationId), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Committed means no discard: the transfer (its watchdog, stripe keys) is released here even when the
            // acknowledgement cannot be sent (the source then reports in-doubt).
            if (_transfer is not null)
            {
                await _transfer.DisposeAsync().ConfigureAwait(false);
                _transfer = null;
            }
        }
    }

    /// <summary>Undoes everything this migration created on the host (idempotent).</summary>
    private async Task DiscardAsync()
    {
        if (_transfer is not null)
        {
            await _transfer.DisposeAsync().ConfigureAwait(false);
            _transfer = null;
        }

        if (_migrationId != Guid.Empty)
        {
            _outcomes[_migrationId] = MigrationOutcomeState.Aborted;
        }

        if (_zone is { } zone)
        {
            if (zone.State == ZoneState.Running)
            {
                zone.Halt();
            }

            if (zone.State == ZoneState.Installed)
            {
                zone.Detach();
            }

            if (_imported)
            {
                _host.Delete(zone.Name);
            }
            else if (_previousConfiguration is not null)
            {
                zone.UpdateConfiguration(_previousConfiguration);
            }

            _zone = null;
        }

        (_guest as IDisposable)?.Dispose();
        _guest = null;
    }
}
