using System.Collections.Concurrent;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Diagnostics;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Precopy;
using KernelZones.Migration.Transport;
using KernelZones.Migration.Transport.Striping;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KernelZones.Migration.Engine;

/// <summary>One incoming migration on one control connection: answers the source's steps and discards everything unless committed.</summary>
internal sealed partial class DestinationMigration
{
    private readonly ControlConnection _connection;
    private readonly ZoneHost _host;
    private readonly MigrationDestinationOptions _options;
    private readonly StripeListener _data;
    private readonly ConcurrentDictionary<string, IGuest> _guests;
    private readonly IncomingMigrationTable _outcomes;
    private readonly ILogger _logger;
    private Zone? _zone;
    private ZoneConfiguration? _previousConfiguration;
    private bool _imported;
    private IGuest? _guest;
    private GuestMemorySink? _sink;
    private StripedTransfer? _transfer;
    private Guid _migrationId;
    private bool _committed;
    private bool _streaming;

    public DestinationMigration(ControlConnection connection, ZoneHost host, MigrationDestinationOptions options, StripeListener data, ConcurrentDictionary<string, IGuest> guests, IncomingMigrationTable outcomes)
    {
        _connection = connection;
        _host = host;
        _options = options;
        _data = data;
        _guests = guests;
        _outcomes = outcomes;
        _logger = (options.Control.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger(MigrationLog.EngineCategory);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!_committed)
            {
                var message = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
                if (!await HandleAsync(message, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                _streaming |= message is StartTransfer;
            }
        }
        catch (Exception ex) when (ex is MigrationException or ZoneStateException or ZoneConfigurationException or TransportException)
        {
            var failure = ex as MigrationException ?? new MigrationException(ex is TransportException ? MigrationFailureKind.Connection : MigrationFailureKind.Compatibility, ex.Message, ex);
            OnFailed(failure);
            await StopStartedGuestAsync().ConfigureAwait(false);
            await _connection.SendErrorAsync(failure, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (!_committed)
            {
                await DiscardAsync().ConfigureAwait(false);
            }

            OnEnded();
        }
    }

    /// <summary>Handles one message; false when the conversation is over.</summary>
    private async Task<bool> HandleAsync(ControlMessage message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case QueryIncomingState query:
                await _connection.SendAsync(new IncomingState(query.MigrationId, _outcomes[query.MigrationId]), cancellationToken).ConfigureAwait(false);
                return false;
            case ImportConfiguration import:
                OnStarted(import.ZoneName);
                await _connection.SendAsync(new ConfigurationImported(Import(import)), cancellationToken).ConfigureAwait(false);
                return true;
            case Attach:
                Zone().Attach();
                break;
            case BootMigratingIn:
                await BootAsync(cancellationToken).ConfigureAwait(false);
                break;
            case CheckCompatibility check:
                var report = CompatibilityCheck.Run(check.Requirements, ZoneRequirementsMapping.From(Zone().Configuration, _guest?.Devices.Format), _options.Capabilities with { IsZoneRunning = IsRunningElsewhere });
                await _connection.SendAsync(new CompatibilityResult(report.Problems), cancellationToken).ConfigureAwait(false);
                return true;
            case Negotiate negotiate:
                await _connection.SendAsync(Negotiate(negotiate), cancellationToken).ConfigureAwait(false);
                return true;
            case StartTransfer:
                await _transfer!.WaitForStripesAsync(cancellationToken).WaitAsync(_options.StripeWait, cancellationToken).ConfigureAwait(false);
                await WaitUntilPopulatedAsync(cancellationToken).ConfigureAwait(false); // the source sends its first page on this answer
                NextPhase(MigrationActivities.PrecopyRound);
                break;
            case RoundComplete round:
                await WaitForRoundAsync(round.Round, cancellationToken).ConfigureAwait(false);
                OnRoundComplete(round);
                break;
            case Switchover:
                NextPhase(MigrationActivities.Switchover);
                return await VerifyAsync(cancellationToken).ConfigureAwait(false) is not { } interruption
                    || await HandleAsync(interruption, cancellationToken).ConfigureAwait(false);
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

        OnAnswering();
        await _connection.SendAsync(new Acknowledged(message.Kind), cancellationToken).ConfigureAwait(false);
        return true;
    }

    private Zone Zone() => _zone ?? throw new MigrationException(MigrationFailureKind.Protocol, "No zone configuration was imported on this connection.");

    /// <summary>
    /// The next control message. While the memory streams, the source is silent on the control connection for a whole
    /// pre-copy round, which may last longer than the control idle timeout: the data stripes' peer timeout (with their
    /// keep-alives) watches the source then, and an abort of the transfer ends the wait.
    /// </summary>
    private async ValueTask<ControlMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (_pendingReceive is { } pending)
        {
            _pendingReceive = null;
            return await pending.ConfigureAwait(false);
        }

        if (!_streaming || _transfer is not { } transfer || transfer.Completion.IsCompleted)
        {
            return await _connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<ControlMessage> receive = _connection.ReceiveAsync(Timeout.InfiniteTimeSpan, stop.Token).AsTask();
        if (await Task.WhenAny(receive, transfer.Completion).ConfigureAwait(false) == receive)
        {
            return await receive.ConfigureAwait(false);
        }

        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await receive.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MigrationException)
        {
            // The transfer's failure is the one to report.
        }

        throw transfer.AbortReason ?? new TransportException($"Transfer {transfer.MigrationId} ended before the source switched over.");
    }

    private bool IsRunningElsewhere(string zoneName) => _host.Find(zoneName) is { } zone && zone != _zone && zone.State == ZoneState.Running;

    /// <summary>Waits until every stripe has delivered the round's records (bounded, and ended by any stripe's failure).</summary>
    private async Task WaitForRoundAsync(int round, CancellationToken cancellationToken)
    {
        var transfer = _transfer ?? throw new MigrationException(MigrationFailureKind.Protocol, "A pre-copy round was reported before the transfer started.");
        var delivered = _sink!.Rounds.WaitAsync(round, cancellationToken).WaitAsync(_options.StripeWait, cancellationToken);
        await Task.WhenAny(delivered, transfer.Completion).ConfigureAwait(false);
        if (transfer.AbortReason is { } reason)
        {
            throw reason;
        }

        try
        {
            await delivered.ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new MigrationException(MigrationFailureKind.Timeout, $"Round {round} did not arrive on every stripe within {_options.StripeWait.TotalSeconds:0} s.", ex);
        }
    }

    /// <summary>
    /// Waits for every stripe to end cleanly, restores the device state, starts a guest that can show it runs and waits
    /// for it, then reports what arrived: the page count, the digests and the guest's start. Returns the source's abort
    /// when it came while the guest was being started (no verdict is sent then), else null.
    /// </summary>
    private async Task<ControlMessage?> VerifyAsync(CancellationToken cancellationToken)
    {
        using var verifying = MigrationActivities.StartPhase(MigrationActivities.Verify, _phase);
        StartSaving(cancellationToken); // while the last round arrives: the flush to disk costs no downtime of its own
        await _transfer!.CompleteAsync(cancellationToken).ConfigureAwait(false);
        await SavedAsync(cancellationToken).ConfigureAwait(false); // the source gives the zone up on this answer: it must be durable first
        RestoreDeviceState();
        (TimeSpan? readyAfter, ControlMessage? interruption) = await StartGuestAsync(cancellationToken).ConfigureAwait(false);
        if (interruption is not null)
        {
            return interruption;
        }

        byte[] verification = MigrationVerification.Encode(_sink!.Digest, _sink.DeviceState);
        GuestStart? started = readyAfter is { } ready ? new GuestStart(_running.Elapsed, ready) : null;
        await _connection.SendAsync(new VerifyResult(_sink.ArrivedPages, verification, started), cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Restores the device state into the suspended guest before the verdict, not at the commit: a state the hypervisor
    /// refuses (another format version, CPU features this host lacks, a machine of another shape) then fails the
    /// switchover while the source can still resume its zone.
    /// </summary>
    private void RestoreDeviceState()
    {
        try
        {
            _guest!.Devices.Restore(_sink!.DeviceState);
        }
        catch (ArgumentException ex)
        {
            throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{Zone().Name}': error: the destination cannot restore the device state: {ex.Message} The zone keeps running on the source.", ex);
        }
    }

    private async Task CommitAsync(CancellationToken cancellationToken)
    {
        using var committing = MigrationActivities.StartPhase(MigrationActivities.Commit, _phase);
        _committed = true;
        _outcomes[_migrationId] = IncomingMigrationState.Committed;
        try
        {
            var guest = _guest!;
            if (!GuestStarted || await EndLeaseAsync().ConfigureAwait(false))
            {
                await guest.Cpus.ResumeAsync(cancellationToken).ConfigureAwait(false);
            }

            Zone().CompleteMigrationIn();
            _guests[Zone().Name] = guest;
            _outcomes[_migrationId] = IncomingMigrationState.Resumed;
            await _connection.SendAsync(new Resumed(_migrationId), cancellationToken).ConfigureAwait(false);
            committing?.Dispose();
            OnResumed();
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
        await StopStartedGuestAsync().ConfigureAwait(false);
        if (_transfer is not null)
        {
            await _transfer.DisposeAsync().ConfigureAwait(false);
            _transfer = null;
        }

        if (_migrationId != Guid.Empty)
        {
            _outcomes[_migrationId] = IncomingMigrationState.Aborted;
        }

        if (_zone is { } zone)
        {
            OnDiscarded(zone.Name);
            if (zone.State == ZoneState.Running)
            {
                zone.Halt();
            }

            if (zone.State == ZoneState.Installed)
            {
                zone.Detach();
            }

            await UndoSaveAsync(zone.Name).ConfigureAwait(false);
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
