using System.Diagnostics;
using KernelZones.Migration.Control;
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
        await SendRoundAsync(_rounds.Count, set, final: true, cancellationToken).ConfigureAwait(false);
        memory.StopDirtyTracking();
        ReadOnlyMemory<byte> deviceState = _guest.Devices.Capture();
        if (deviceState.Length > IDeviceState.MaxStateBytes)
        {
            throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{ZoneName}': the device state is {deviceState.Length} bytes; at most {IDeviceState.MaxStateBytes} can be migrated.");
        }

        await _transfer!.Stripes[0].SendAsync(new DeviceStateBatch(deviceState, _options.Transport.Records.MaxPayloadLength), cancellationToken).ConfigureAwait(false);
        _expectedVerification = MigrationVerification.Encode(_digest!.Value, deviceState.Span);

        Report(MigrationStep.WaitingForCompletion);
        await connection.SendAsync(new Switchover(_session!.MigrationId), cancellationToken).ConfigureAwait(false);
        await _transfer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        _sending = _total.Elapsed - precopy.SetupTime;
        var verify = await connection.ReceiveAsync<VerifyResult>(cancellationToken).ConfigureAwait(false);
        if (verify.PageCount != memory.PageCount || !verify.Digest.AsSpan().SequenceEqual(_expectedVerification))
        {
            throw new MigrationException(MigrationFailureKind.Protocol, $"zone '{ZoneName}': the destination's copy does not match the source ({verify.PageCount} of {memory.PageCount} pages, digest {(verify.Digest.AsSpan().SequenceEqual(_expectedVerification) ? "equal" : "different")}); migration rolled back.");
        }

        return precopy;
    }

    private byte[] _expectedVerification = [];

    /// <summary>The commit point: from here the source never resumes the zone.</summary>
    private async Task<MigrationResult> CommitAsync(ControlConnection connection, PrecopyOutcome precopy, CancellationToken cancellationToken)
    {
        _committed = true;
        var session = _session!;
        var outcome = MigrationOutcome.Succeeded;
        try
        {
            await connection.SendAsync(new Commit(session.MigrationId), cancellationToken).ConfigureAwait(false);
            await connection.ReceiveAsync<Resumed>(cancellationToken).ConfigureAwait(false);
            _downtime.Stop();
        }
        catch (Exception ex) when (ex is MigrationException or OperationCanceledException or IOException)
        {
            // The destination may or may not have resumed the zone: never guess (DESIGN.md, invariant 1).
            outcome = MigrationOutcome.InDoubt;
            _downtime.Stop();
        }

        if (outcome == MigrationOutcome.Succeeded)
        {
            Report(MigrationStep.Successful);
            Report(MigrationStep.HaltingAndDetaching);
            HaltAndDetach();
        }

        _total.Stop();
        return new MigrationResult
        {
            MigrationId = session.MigrationId,
            ZoneName = ZoneName,
            Outcome = outcome,
            Cipher = _transfer!.CipherName,
            Stripes = _transfer.StripeCount,
            Rounds = _rounds.ToArray(),
            TotalTime = _total.Elapsed,
            SetupTime = precopy.SetupTime,
            Downtime = _downtime.Elapsed,
            ExpectedDowntime = precopy.ExpectedDowntime,
            BytesOnWire = _transfer.BytesSent,
            BytesPerStripe = _transfer.Stripes.Select(s => s.BytesSent).ToArray(),
            ThroughputBytesPerSecond = _transfer.BytesSent / Math.Max(1e-9, _sending.TotalSeconds),
            LimitAction = precopy.LimitAction,
        };
    }

    /// <summary>Undoes everything before the commit point: the destination discards, the source zone runs on, unchanged.</summary>
    private async Task RollBackAsync(ControlConnection? connection, MigrationException failure)
    {
        _rollingBack = true;
        _transfer?.Abort(failure);
        if (connection is not null)
        {
            try
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await connection.SendAsync(new Abort(failure.Message), limit.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MigrationException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The destination also discards on a lost connection.
            }
        }

        if (_guest.Memory.IsDirtyTracking)
        {
            _guest.Memory.StopDirtyTracking();
        }

        // A zone the operator halted meanwhile stays halted: its vCPUs are not resumed (issue #8).
        if (_suspended && _zone.State == ZoneState.Running)
        {
            await _guest.Cpus.ResumeAsync(CancellationToken.None).ConfigureAwait(false);
            _suspended = false;
        }

        EndMigrationOut();
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
