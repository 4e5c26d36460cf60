using System.Diagnostics;
using System.Net;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Transport;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Engine;

/// <summary>One migration of one zone, on the source: the steps in order, and the rollback that undoes them.</summary>
internal sealed partial class SourceMigration
{
    private readonly Zone _zone;
    private readonly IGuest _guest;
    private readonly MigrationOptions _options;
    private readonly Stopwatch _total = new();
    private readonly List<PrecopyRound> _rounds = [];
    private PageDigest? _digest;
    private StripedTransfer? _transfer;
    private NegotiateResult? _session;
    private bool _migratingOut;
    private bool _suspended;

    public SourceMigration(Zone zone, IGuest guest, MigrationOptions options)
    {
        _zone = zone;
        _guest = guest;
        _options = options;
    }

    private string ZoneName => _zone.Name;

    public async Task<MigrationResult> RunAsync(RemoteAddress destination, ControlCredential credential, ControlClientOptions control, CancellationToken cancellationToken)
    {
        CheckMigratable();
        _total.Start();
        ControlConnection? connection = null;
        try
        {
            connection = await ControlClient.ConnectAsync(destination, credential, control, cancellationToken).ConfigureAwait(false);
            await PrepareDestinationAsync(connection, cancellationToken).ConfigureAwait(false);
            if (_options.DryRun)
            {
                return await FinishDryRunAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            await StartTransferAsync(connection, destination, cancellationToken).ConfigureAwait(false);
            var precopy = await RunPrecopyAsync(connection, cancellationToken).ConfigureAwait(false);
            precopy = await SwitchoverAsync(connection, precopy, cancellationToken).ConfigureAwait(false);
            return await CommitAsync(connection, precopy, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!_committed)
        {
            var failure = AsMigrationException(ex, cancellationToken);
            await RollBackAsync(connection, failure).ConfigureAwait(false);
            throw failure;
        }
        finally
        {
            if (_transfer is not null)
            {
                await _transfer.DisposeAsync().ConfigureAwait(false);
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void CheckMigratable()
    {
        if (_zone.State != ZoneState.Running || _zone.AuxiliaryState != ZoneAuxiliaryState.None)
        {
            throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{ZoneName}': must be running (and not already migrating) to be live migrated; it is {_zone.Status}.");
        }

        var problems = _zone.Configuration.ValidateForLiveMigration();
        if (problems.Count > 0)
        {
            throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{ZoneName}': cannot be live migrated:\n" + string.Join('\n', problems.Select(p => "error: " + p)));
        }

        long configured = _zone.Configuration.PhysicalMemory?.Bytes ?? 0;
        if (configured != _guest.Memory.Size)
        {
            throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{ZoneName}': capped-memory physical is {configured} bytes but the guest has {_guest.Memory.Size}.");
        }
    }

    private async Task PrepareDestinationAsync(ControlConnection connection, CancellationToken cancellationToken)
    {
        await connection.SendAsync(new ImportConfiguration(ZoneName, _zone.Configuration.ToExport()), cancellationToken).ConfigureAwait(false);
        var imported = await connection.ReceiveAsync<ConfigurationImported>(cancellationToken).ConfigureAwait(false);
        Report(imported.UsedExisting ? MigrationStep.UsingExistingConfiguration : MigrationStep.ImportingConfiguration);

        Report(MigrationStep.Attaching);
        await RequestAsync(connection, new Attach(ZoneName), cancellationToken).ConfigureAwait(false);
        Report(MigrationStep.BootingMigratingIn);
        await RequestAsync(connection, new BootMigratingIn(ZoneName), cancellationToken).ConfigureAwait(false);

        Report(MigrationStep.CheckingCompatibility);
        await connection.SendAsync(new CheckCompatibility(ZoneRequirementsMapping.From(_zone.Configuration)), cancellationToken).ConfigureAwait(false);
        var result = await connection.ReceiveAsync<CompatibilityResult>(cancellationToken).ConfigureAwait(false);
        new CompatibilityReport(result.Problems).ThrowIfIncompatible();
    }

    private async Task<MigrationResult> FinishDryRunAsync(ControlConnection connection, CancellationToken cancellationToken)
    {
        Report(MigrationStep.CleaningUp);
        await RequestAsync(connection, new Abort("dry run"), cancellationToken).ConfigureAwait(false);
        Report(MigrationStep.DryRunSuccessful);
        return new MigrationResult { MigrationId = Guid.Empty, ZoneName = ZoneName, Outcome = MigrationOutcome.DryRunSucceeded, TotalTime = _total.Elapsed };
    }

    private async Task StartTransferAsync(ControlConnection connection, RemoteAddress destination, CancellationToken cancellationToken)
    {
        int cap = _options.MaxStripes;
        await connection.SendAsync(new Negotiate(_options.Cipher, cap, _guest.Memory.Size), cancellationToken).ConfigureAwait(false);
        _session = await connection.ReceiveAsync<NegotiateResult>(cancellationToken).ConfigureAwait(false);
        using var descriptor = new TransferDescriptor(_session.MigrationId, _session.SessionSecret, _session.Cipher, _session.StripeCount);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_session.SessionSecret);

        Report(MigrationStep.Starting);
        _zone.BeginMigrationOut();
        _migratingOut = true;
        _transfer = await StripeConnector.ConnectAsync(DataEndPoint(connection, destination, _session.DataPort), descriptor, NoReturnTraffic.Instance, _options.Transport, cancellationToken).ConfigureAwait(false);
        await RequestAsync(connection, new StartTransfer(_session.MigrationId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The data service lives on the host the control connection reached.</summary>
    private static EndPoint DataEndPoint(ControlConnection connection, RemoteAddress destination, int port)
    {
        if (connection.RemoteEndPoint is IPEndPoint peer)
        {
            return new IPEndPoint(peer.Address.IsIPv4MappedToIPv6 ? peer.Address.MapToIPv4() : peer.Address, port);
        }

        return IPAddress.TryParse(destination.Host.Trim('[', ']'), out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(destination.Host, port);
    }

    private static async Task RequestAsync(ControlConnection connection, ControlMessage request, CancellationToken cancellationToken)
    {
        await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await connection.ReceiveAsync<Acknowledged>(cancellationToken).ConfigureAwait(false);
    }

    private void Report(MigrationStep step, PrecopyRound? round = null, long remaining = 0) =>
        _options.Progress?.Report(new MigrationProgress(ZoneName, step, round, _transfer?.BytesSent ?? 0, remaining, round?.BytesPerSecond ?? 0));

    private MigrationException AsMigrationException(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        MigrationException migration => migration,
        OperationCanceledException or TransportException when cancellationToken.IsCancellationRequested => new MigrationException(MigrationFailureKind.Aborted, $"zone '{ZoneName}': the migration was cancelled; the zone keeps running on the source.", ex),
        TransportException transport => new MigrationException(MigrationFailureKind.Connection, $"zone '{ZoneName}': the memory transfer failed: {transport.Message}", ex),
        _ => new MigrationException(MigrationFailureKind.Unknown, $"zone '{ZoneName}': {ex.Message}", ex),
    };
}
