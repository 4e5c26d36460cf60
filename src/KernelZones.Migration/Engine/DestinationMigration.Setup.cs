using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Precopy;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Engine;

/// <summary>The destination's setup steps: import the configuration, boot the guest suspended, negotiate the transfer.</summary>
internal sealed partial class DestinationMigration
{
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
            if (existing.AuxiliaryState.HasFlag(ZoneAuxiliaryState.MigratingOut))
            {
                throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{import.ZoneName}' is migrating out of this very host: a zone cannot be migrated to the host it runs on.");
            }

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

    /// <summary>
    /// Waits for a guest whose memory is backed in the background (see <see cref="IBackgroundPopulation"/>) to be
    /// fully backed. It started when the zone booted, so it overlaps the compatibility check, the negotiation and the
    /// stripes' connections; the pages then arrive into memory whose page faults are paid, and decryption has the CPUs.
    /// </summary>
    private async Task WaitUntilPopulatedAsync(CancellationToken cancellationToken)
    {
        if (_guest?.Memory is not IBackgroundPopulation { Populated: { IsCompletedSuccessfully: false } populated })
        {
            return;
        }

        await populated.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private NegotiateResult Negotiate(Negotiate request)
    {
        if (_guest is null || request.MemoryBytes != _guest.Memory.Size)
        {
            throw new MigrationException(MigrationFailureKind.Protocol, $"Negotiation before the zone was booted in migrating-in mode, or for {request.MemoryBytes} bytes instead of the zone's {_guest?.Memory.Size}.");
        }

        var result = MigrationSession.Create(request, _connection.PeerHello, _connection.LocalHello, _options.AdvertisedDataPort > 0 ? _options.AdvertisedDataPort : _data.LocalEndPoint.Port, _options.MaxStripes);
        using var descriptor = new TransferDescriptor(result.MigrationId, result.SessionSecret, result.Cipher, result.StripeCount);
        _sink = new GuestMemorySink(_guest.Memory, result.StripeCount);
        _transfer = _data.Expect(descriptor, _sink);
        _migrationId = result.MigrationId;
        _outcomes[_migrationId] = IncomingMigrationState.InProgress;
        return result with { GuestRunLimit = AnnounceRunLimit() };
    }
}
