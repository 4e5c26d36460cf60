using System.Diagnostics;
using KernelZones.Migration.Control;
using KernelZones.Migration.Diagnostics;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Engine;

internal sealed partial class SourceMigration
{
    private readonly Stopwatch _downtime = new();
    private bool _committed;
    private TimeSpan _sending;
    private GuestStart? _destinationStart;
    private Task<ControlMessage>? _verdict;
    private long _switchoverSent;

    /// <summary>Added to the destination's bound before the source resumes without its answer: clock rates and scheduling.</summary>
    private static readonly TimeSpan s_leaseMargin = TimeSpan.FromMilliseconds(500);

    /// <summary>Suspends the zone, sends the last dirty pages and the device state, and has the destination verify them.</summary>
    private async Task<PrecopyOutcome> SwitchoverAsync(ControlConnection connection, PrecopyOutcome precopy, CancellationToken cancellationToken)
    {
        Report(MigrationStep.Suspending);
        _downtime.Start();
        await _guest.Cpus.SuspendAsync(cancellationToken).ConfigureAwait(false);
        _suspended = true;

        var memory = _guest.Memory;
        var set = precopy.FinalSet;
        memory.CollectDirtyPages(set);
        await SendRoundAsync(_rounds.Count, set, connection: null, cancellationToken).ConfigureAwait(false);
        memory.StopDirtyTracking();
        using var verifying = MigrationActivities.StartPhase(MigrationActivities.Verify, Activity.Current);
        ReadOnlyMemory<byte> deviceState = _guest.Devices.Capture();
        if (deviceState.Length > IDeviceState.MaxStateBytes)
        {
            throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{ZoneName}': the device state is {deviceState.Length} bytes; at most {IDeviceState.MaxStateBytes} can be migrated.");
        }

        await _transfer!.Stripes[0].SendAsync(new DeviceStateBatch(deviceState, _options.Transport.Records.MaxPayloadLength), cancellationToken).ConfigureAwait(false);
        _expectedVerification = MigrationVerification.Encode(_digest!.Value, deviceState.Span);

        Report(MigrationStep.WaitingForCompletion);
        _switchoverSent = Stopwatch.GetTimestamp();
        await connection.SendAsync(new Switchover(_session!.MigrationId), cancellationToken).ConfigureAwait(false);

        // The verdict and the end of the data streams are awaited together, not one after the other: each wait ends
        // with a thread wake-up, and on a loaded host two wake-ups in a row are downtime twice.
        // Whichever of the two fails first ends the wait: a verdict lost with the control connection must not leave the
        // source waiting for data streams that the destination, still waiting for the Switchover, never finishes.
        // The read itself is not cancelled with the migration (only the wait for it is): a read cut off in the middle of
        // a message would leave the connection unable to carry the destination's answer to an abort.
        var verdict = connection.ReceiveAsync(CancellationToken.None).AsTask();
        _verdict = verdict;
        var answered = verdict.WaitAsync(cancellationToken);
        var streamsEnded = _transfer.CompleteAsync(cancellationToken);
        try
        {
            if (await Task.WhenAny(streamsEnded, answered).ConfigureAwait(false) == answered && await answered.ConfigureAwait(false) is not VerifyResult)
            {
                await connection.ExpectAsync<VerifyResult>(await answered.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }

            await streamsEnded.ConfigureAwait(false);
        }
        catch
        {
            // The rollback closes the connection and aborts the transfer, which ends the other wait; its failure is not news.
            _ = verdict.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            _ = answered.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            _ = streamsEnded.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }

        _sending = _total.Elapsed - precopy.SetupTime;
        var verify = await connection.ExpectAsync<VerifyResult>(await answered.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (verify.Started is { } started)
        {
            // The destination started the guest before this answer: the downtime ended then, not at the commit.
            _downtime.Stop();
            _destinationStart = started;
        }

        if (verify.PageCount != memory.PageCount || !verify.Digest.AsSpan().SequenceEqual(_expectedVerification))
        {
            throw new MigrationException(MigrationFailureKind.Protocol, $"zone '{ZoneName}': the destination's copy does not match the source ({verify.PageCount} of {memory.PageCount} pages, digest {(verify.Digest.AsSpan().SequenceEqual(_expectedVerification) ? "equal" : "different")}); migration rolled back.");
        }

        return precopy;
    }

    private byte[] _expectedVerification = [];

    /// <summary>
    /// From suspension here to the start of the destination's vCPUs: before the verdict for a guest that shows it runs
    /// (the destination says how long before its answer), else at the commit, acknowledged by <see cref="Resumed"/>.
    /// </summary>
    private TimeSpan Downtime => _destinationStart is { } started && _downtime.Elapsed > started.Running ? _downtime.Elapsed - started.Running : _downtime.Elapsed;

    /// <summary>The commit point: from here the source never resumes the zone. Returns once the destination runs it, or in doubt.</summary>
    private async Task<MigrationOutcome> CommitAsync(ControlConnection connection, CancellationToken cancellationToken)
    {
        using var committing = MigrationActivities.StartPhase(MigrationActivities.Commit, Activity.Current);
        _committed = true;
        try
        {
            await connection.SendAsync(new Commit(_session!.MigrationId), cancellationToken).ConfigureAwait(false);
            await connection.ReceiveAsync<Resumed>(cancellationToken).ConfigureAwait(false);
            _downtime.Stop();
            return MigrationOutcome.Succeeded;
        }
        catch (Exception ex) when (ex is MigrationException or OperationCanceledException or IOException)
        {
            // The destination may or may not have resumed the zone: never guess (docs/design.md, invariant 1).
            _downtime.Stop();
            MigrationActivities.Fail(committing, ex);
            return MigrationOutcome.InDoubt;
        }
    }

    /// <summary>After the commit: halts and detaches the source's copy once the destination runs the zone, and gathers the statistics.</summary>
    private MigrationResult Finish(PrecopyOutcome precopy, MigrationOutcome outcome)
    {
        if (outcome == MigrationOutcome.Succeeded)
        {
            Report(MigrationStep.Successful);
            Report(MigrationStep.HaltingAndDetaching);
            HaltAndDetach();
            MigrationMetrics.Downtime(Downtime);
        }

        _total.Stop();
        var transfer = _transfer!;
        MigrationMetrics.BytesSent(transfer.BytesSent - _rounds.Sum(r => r.WireBytes));
        return new MigrationResult
        {
            MigrationId = _session!.MigrationId,
            ZoneName = ZoneName,
            Outcome = outcome,
            Cipher = transfer.CipherName,
            Stripes = transfer.StripeCount,
            Rounds = _rounds.ToArray(),
            TotalTime = _total.Elapsed,
            SetupTime = precopy.SetupTime,
            Downtime = Downtime,
            ReadinessWait = _destinationStart?.ReadyAfter,
            ExpectedDowntime = precopy.ExpectedDowntime,
            BytesOnWire = transfer.BytesSent,
            BytesPerStripe = transfer.Stripes.Select(s => s.BytesSent).ToArray(),
            ThroughputBytesPerSecond = transfer.BytesSent / Math.Max(1e-9, _sending.TotalSeconds),
            LimitAction = precopy.LimitAction,
        };
    }

    /// <summary>Undoes everything before the commit point: the destination discards, the source zone runs on, unchanged.</summary>
    private async Task RollBackAsync(ControlConnection? connection, MigrationException failure)
    {
        _rollingBack = true;
        _transfer?.Abort(failure);
        bool destinationStopped = _switchoverSent == 0; // before the switchover the destination starts no guest
        if (connection is not null)
        {
            try
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await connection.SendAsync(new Abort(failure.Message), limit.Token).ConfigureAwait(false);
                destinationStopped = await DestinationStoppedAsync(connection, limit.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MigrationException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The destination also discards on a lost connection.
            }
        }

        if (!destinationStopped)
        {
            await OutwaitDestinationGuestAsync().ConfigureAwait(false);
        }

        if (_guest.Memory.IsDirtyTracking)
        {
            _guest.Memory.StopDirtyTracking();
        }

        // A zone the operator halted meanwhile stays halted: its vCPUs are not resumed.
        if (_suspended && _zone.State == ZoneState.Running)
        {
            await _guest.Cpus.ResumeAsync(CancellationToken.None).ConfigureAwait(false);
            _suspended = false;
        }

        EndMigrationOut();
    }

    /// <summary>
    /// After the switchover the destination may have started the guest (see <see cref="IGuestReadiness"/>): the source
    /// resumes once the destination has answered its abort, which it does after destroying its copy, or reported a
    /// failure, which it does the same. Returns true then, or before the switchover (nothing was started); false when
    /// the switchover's sending failed (it may have arrived all the same). A connection that fails meanwhile throws; in
    /// both cases the source then waits out the guest's lease before it resumes.
    /// </summary>
    private async Task<bool> DestinationStoppedAsync(ControlConnection connection, CancellationToken cancellationToken)
    {
        if (_verdict is not { } verdict)
        {
            return _switchoverSent == 0;
        }

        ControlMessage answer = await verdict.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (answer is not (Acknowledged { Step: MessageKind.Abort } or ErrorMessage))
        {
            answer = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        }

        _verdict = null;
        return true;
    }

    /// <summary>
    /// Without the destination's word that its guest is gone, waits until that guest cannot run any more: the bound the
    /// destination announced counts from its answer to the last pre-copy round, which came before the switchover was
    /// sent, so the bound counted from the switchover (and a margin) ends later on any clock. Nothing to wait for when
    /// the destination announced no bound (it starts the guest only at the commit), or said its guest was not started.
    /// </summary>
    private async Task OutwaitDestinationGuestAsync()
    {
        if (_session?.GuestRunLimit is not { } limit || _switchoverSent == 0
            || _verdict is { IsCompletedSuccessfully: true } verdict && verdict.Result is VerifyResult { Started: null })
        {
            return;
        }

        TimeSpan wait = limit + s_leaseMargin - Stopwatch.GetElapsedTime(_switchoverSent);
        if (wait > TimeSpan.Zero)
        {
            MigrationLog.ResumeDeferred(_logger, ZoneName, wait.TotalMilliseconds);
            await Task.Delay(wait, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Clears migrating-out unless something else (an operator's halt) already ended it.</summary>
    private void EndMigrationOut()
    {
        _rollingBack = true;
        if (_migratingOut && _zone.AuxiliaryState.HasFlag(ZoneAuxiliaryState.MigratingOut))
        {
            try
            {
                _zone.EndMigrationOut();
            }
            catch (ZoneStateException)
            {
                // Changed by someone else between the check and the call: there is no migrating-out left to clear.
            }
        }

        _migratingOut = false;
    }

    /// <summary>After the commit the source copy stops; a zone an operator already halted is only detached.</summary>
    private void HaltAndDetach()
    {
        if (_zone.State is ZoneState.Running or ZoneState.Ready)
        {
            _zone.Halt();
        }

        if (_zone.State == ZoneState.Installed)
        {
            _zone.Detach();
        }
    }

    /// <summary>The source expects nothing back on the data plane; anything that arrives is a protocol error.</summary>
    private sealed class NoReturnTraffic : IRecordSink
    {
        public static NoReturnTraffic Instance { get; } = new();

        public Span<byte> GetDataDestination(int stripeIndex, in RecordHeader header) =>
            throw new MigrationException(MigrationFailureKind.Protocol, $"The destination sent data on stripe {stripeIndex}; it sends none.");

        public void OnDataReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload)
        {
        }

        public void OnControlReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload)
        {
        }
    }
}
