using System.Diagnostics;
using System.Net;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Diagnostics;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Transport;
using KernelZones.Migration.Transport.Striping;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KernelZones.Migration.Engine;

/// <summary>One migration of one zone, on the source: the steps in order, and the rollback that undoes them.</summary>
internal sealed partial class SourceMigration
{
    private readonly Zone _zone;
    private readonly IGuest _guest;
    private readonly MigrationOptions _options;
    private readonly ILogger _logger;
    private readonly StripeOptions _transport;
    private readonly Stopwatch _total = new();
    private readonly List<PrecopyRound> _rounds = [];
    private PageDigest? _digest;
    private StripedTransfer? _transfer;
    private NegotiateResult? _session;
    private bool _migratingOut;
    private bool _suspended;
    private bool _rollingBack;
    private CancellationTokenSource? _interruptible;
    private MigrationException? _interruption;

    public SourceMigration(Zone zone, IGuest guest, MigrationOptions options, ILoggerFactory? loggers)
    {
        _zone = zone;
        _guest = guest;
        _options = options;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger(MigrationLog.EngineCategory);
        // One logger factory for every layer: the stripes log where the engine does unless told otherwise.
        _transport = options.Transport.LoggerFactory is null && loggers is not null ? options.Transport with { LoggerFactory = loggers } : options.Transport;
    }

    private string ZoneName => _zone.Name;

    private Guid MigrationId => _session?.MigrationId ?? Guid.Empty;

    public async Task<MigrationResult> RunAsync(RemoteAddress destination, ControlCredential credential, ControlClientOptions control, CancellationToken cancellationToken)
    {
        CheckMigratable();
        BeginMigrationOut();
        _total.Start();
        using var activity = MigrationActivities.StartMigration(MigrationMetrics.Source, ZoneName);
        MigrationMetrics.Started(MigrationMetrics.Source);
        MigrationLog.MigrationStarted(_logger, ZoneName, destination.ToString());
        using var interruptible = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _interruptible = interruptible;
        _zone.StateChanged += OnZoneStateChanged;
        ControlConnection? connection = null;
        try
        {
            var token = interruptible.Token;
            using (MigrationActivities.StartPhase(MigrationActivities.Setup, activity))
            {
                connection = await ControlClient.ConnectAsync(destination, credential, control, token).ConfigureAwait(false);
                // The cipher is agreed from the two offers before anything is created on the destination: a cipher it
                // would refuse (say 'none' where it is not allowed) fails here, not after import, attach and boot.
                CipherChoice.Choose(_options.Cipher, connection.LocalHello, connection.PeerHello);
                await PrepareDestinationAsync(connection, token).ConfigureAwait(false);
                if (_options.DryRun)
                {
                    return Finished(activity, await FinishDryRunAsync(connection, token).ConfigureAwait(false));
                }

                await StartTransferAsync(connection, destination, token).ConfigureAwait(false);
            }

            activity?.SetTag("kz.migration.id", MigrationId);
            var precopy = await RunPrecopyAsync(connection, token).ConfigureAwait(false);
            MigrationOutcome outcome;
            using (MigrationActivities.StartPhase(MigrationActivities.Switchover, activity))
            {
                precopy = await SwitchoverAsync(connection, precopy, token).ConfigureAwait(false);
                outcome = await CommitAsync(connection, token).ConfigureAwait(false);
            }

            return Finished(activity, Finish(precopy, outcome));
        }
        catch (Exception ex) when (!_committed)
        {
            var failure = AsMigrationException(ex, cancellationToken);
            await RollBackAsync(connection, failure).ConfigureAwait(false);
            MigrationActivities.Fail(activity, failure);
            MigrationMetrics.Failed(MigrationMetrics.Source, failure.Kind);
            MigrationMetrics.RolledBack(MigrationMetrics.Source);
            MigrationLog.MigrationFailed(_logger, ZoneName, failure.Kind, failure.Message);
            throw failure;
        }
        finally
        {
            _zone.StateChanged -= OnZoneStateChanged;
            _interruptible = null;
            if (_transfer is not null)
            {
                await _transfer.DisposeAsync().ConfigureAwait(false);
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            MigrationMetrics.Duration(MigrationMetrics.Source, _total.Elapsed);
        }
    }

    /// <summary>Records the outcome of a migration that reached its end (success, dry run or in doubt).</summary>
    private MigrationResult Finished(Activity? activity, MigrationResult result)
    {
        activity?.SetTag("kz.outcome", result.Outcome.ToString());
        if (result.Outcome == MigrationOutcome.InDoubt)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "commit not acknowledged");
            MigrationMetrics.InDoubt();
            MigrationLog.MigrationInDoubt(_logger, result.MigrationId, ZoneName);
            return result;
        }

        MigrationMetrics.Completed(MigrationMetrics.Source, dryRun: result.Outcome == MigrationOutcome.DryRunSucceeded);
        if (result.Outcome == MigrationOutcome.Succeeded)
        {
            MigrationLog.MigrationSucceeded(_logger, result.MigrationId, ZoneName, result.TotalTime.TotalMilliseconds, result.Downtime.TotalMilliseconds, result.Rounds.Count, result.BytesOnWire);
        }

        return result;
    }

    /// <summary>
    /// Marks the zone migrating-out before anything else, atomically, so that a second migration of the same zone is
    /// refused at once instead of racing the first to the destination.
    /// </summary>
    private void BeginMigrationOut()
    {
        try
        {
            _zone.BeginMigrationOut();
            _migratingOut = true;
        }
        catch (ZoneStateException ex)
        {
            throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{ZoneName}': is already being migrated (or was changed meanwhile; it is {_zone.Status}); this migration is refused.", ex);
        }
    }

    /// <summary>An operator's halt (or any change that ends migrating-out) before the commit point aborts the migration.</summary>
    private void OnZoneStateChanged(object? sender, ZoneStateChangedEventArgs e)
    {
        if (_committed || _rollingBack || e.Current.AuxiliaryState.HasFlag(ZoneAuxiliaryState.MigratingOut) || _interruptible is not { } interruptible)
        {
            return;
        }

        _interruption ??= new MigrationException(MigrationFailureKind.Aborted,
            $"zone '{ZoneName}': the zone became {ZoneStatus.Format(e.Current.State)} on the source ({e.Operation}) during its migration; migration aborted, the destination discards its copy.");
        // Cancelling runs the transfer's callbacks: not on the thread that changed the zone.
        _ = interruptible.CancelAsync();
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

        if (!DeviceStateFormat.IsWellFormed(_guest.Devices.Format))
        {
            throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{ZoneName}': the guest names its device state format '{_guest.Devices.Format}'; a format is 1 to {IDeviceState.MaxFormatLength} printable ASCII characters without spaces.");
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
        await connection.SendAsync(new CheckCompatibility(ZoneRequirementsMapping.From(_zone.Configuration, _guest.Devices.Format)), cancellationToken).ConfigureAwait(false);
        var result = await connection.ReceiveAsync<CompatibilityResult>(cancellationToken).ConfigureAwait(false);
        new CompatibilityReport(result.Problems).ThrowIfIncompatible();
    }

    private async Task<MigrationResult> FinishDryRunAsync(ControlConnection connection, CancellationToken cancellationToken)
    {
        Report(MigrationStep.CleaningUp);
        await RequestAsync(connection, new Abort("dry run"), cancellationToken).ConfigureAwait(false);
        EndMigrationOut();
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
        _transfer = await StripeConnector.ConnectAsync(DataEndPoint(connection, destination, _session.DataPort), descriptor, NoReturnTraffic.Instance, _transport, cancellationToken).ConfigureAwait(false);
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
        _options.Progress?.Report(new MigrationProgress(ZoneName, step, round, _transfer?.BytesSent ?? 0, remaining, round?.BytesPerSecond ?? 0)
        {
            BytesPerStripe = _transfer?.Stripes.Select(s => s.BytesSent).ToArray() ?? [],
        });

    private MigrationException AsMigrationException(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        _ when _interruption is not null => _interruption,
        // A cancelled caller is the cause, whichever wait noticed it first (a connection torn down by it, say).
        OperationCanceledException or TransportException or MigrationException when cancellationToken.IsCancellationRequested => new MigrationException(MigrationFailureKind.Aborted, $"zone '{ZoneName}': the migration was cancelled; the zone keeps running on the source.", ex),
        MigrationException migration => migration,
        TransportException transport => new MigrationException(MigrationFailureKind.Connection, $"zone '{ZoneName}': the memory transfer failed: {transport.Message}", ex),
        _ => new MigrationException(MigrationFailureKind.Unknown, $"zone '{ZoneName}': {ex.Message}", ex),
    };
}
