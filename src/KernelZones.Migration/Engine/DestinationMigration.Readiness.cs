using System.Diagnostics;
using KernelZones.Migration.Control;
using KernelZones.Migration.Diagnostics;
using KernelZones.Migration.Guests;

namespace KernelZones.Migration.Engine;

/// <summary>
/// The readiness check before the commit: a guest that can show it runs (<see cref="IGuestReadiness"/>) is started
/// once its device state is restored, and the verdict waits for its first sign of life. Meanwhile the control
/// connection is watched, so that a source that aborts or goes away stops the guest at once; a guest that fails or
/// stays silent is destroyed before the failure is answered, so that the zone never runs on both hosts.
/// A started guest also holds a lease: it runs without the commit only until a bound announced to the source at the
/// negotiation, counted from this side's answer to the last pre-copy round (which the source received before it
/// suspended its zone), and is paused then until the commit resumes it. A source that hears nothing waits that bound
/// out before it resumes its own copy, so a link that goes silent without failing cannot leave two copies running.
/// </summary>
internal sealed partial class DestinationMigration
{
    private static readonly TimeSpan s_stopLimit = TimeSpan.FromSeconds(5);

    /// <summary>Room in the lease for the source's final round, the verification, the save and the restore, before the guest starts.</summary>
    private static readonly TimeSpan s_switchoverAllowance = TimeSpan.FromSeconds(5);

    /// <summary>How long a guest that showed it runs may run on after the verdict without hearing the commit.</summary>
    private static readonly TimeSpan s_commitLease = TimeSpan.FromSeconds(1);

    private readonly Stopwatch _running = new();
    private Task<ControlMessage>? _pendingReceive;
    private TimeSpan? _runLimit;
    private long _lastAnswer;
    private Task<bool>? _lease;
    private TaskCompletionSource? _leaseEnd;

    /// <summary>Whether the guest's vCPUs were started before the commit (the guest runs here from then on).</summary>
    private bool GuestStarted => _running.IsRunning;

    /// <summary>
    /// The bound announced to the source at the negotiation: how long after this side's last answer before the
    /// switchover a guest started before the commit may run without it. Null for a guest started only at the commit.
    /// </summary>
    private TimeSpan? AnnounceRunLimit()
    {
        TimeSpan limit = s_switchoverAllowance + _options.ReadinessTimeout + s_commitLease;
        _runLimit = _guest is IGuestReadiness && limit <= NegotiateResult.MaxGuestRunLimit ? limit : null;
        return _runLimit;
    }

    /// <summary>Notes the moment of an answer to the source: the last one before the switchover starts the lease.</summary>
    private void OnAnswering() => _lastAnswer = Stopwatch.GetTimestamp();

    /// <summary>
    /// Starts the restored guest and waits until it runs. Returns how long it took, or null for a guest without the
    /// capability (its vCPUs start at the commit), or when the source aborted meanwhile (the abort is returned, to be handled).
    /// </summary>
    /// <exception cref="MigrationException">The guest faulted, reported a failure or gave no sign of life in time (<see cref="MigrationFailureKind.GuestNotReady"/>), or the control connection failed.</exception>
    private async Task<(TimeSpan? ReadyAfter, ControlMessage? Interruption)> StartGuestAsync(CancellationToken cancellationToken)
    {
        // A switchover that took so long that the lease could not cover the readiness wait and the commit starts the
        // guest at the commit, as one without the capability.
        if (_guest is not IGuestReadiness readiness || _runLimit is not { } limit || _lastAnswer == 0
            || limit - Stopwatch.GetElapsedTime(_lastAnswer) < _options.ReadinessTimeout + s_commitLease)
        {
            return (null, null);
        }

        _running.Start();
        await _guest.Cpus.ResumeAsync(cancellationToken).ConfigureAwait(false);
        _leaseEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lease = PauseAtLeaseEndAsync(_guest, Zone().Name, limit, _leaseEnd.Task);
        Task ready = readiness.WaitUntilRunningAsync(cancellationToken).WaitAsync(_options.ReadinessTimeout, cancellationToken);

        // The source says nothing until the verdict, unless it aborts; a receive started now is the next message read.
        Task<ControlMessage> receive = _connection.ReceiveAsync(cancellationToken).AsTask();
        _pendingReceive = receive;
        if (await Task.WhenAny(ready, receive).ConfigureAwait(false) == receive)
        {
            _pendingReceive = null;
            _ = ready.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            ControlMessage message = await receive.ConfigureAwait(false);
            return message is Abort
                ? (null, message)
                : throw new MigrationException(MigrationFailureKind.Protocol, $"Unexpected {message.Kind} message while the destination waits for the zone's guest to run.");
        }

        try
        {
            await ready.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            string reason = ex is TimeoutException
                ? $"gave no sign of life within {_options.ReadinessTimeout.TotalMilliseconds:0.###} ms of its start"
                : $"cannot run: {ex.Message}";
            throw new MigrationException(MigrationFailureKind.GuestNotReady,
                $"zone '{Zone().Name}': error: the guest on the destination {reason}; the destination destroyed its copy and the zone keeps running on the source.", ex);
        }

        TimeSpan readyAfter = _running.Elapsed;
        _phase?.SetTag("kz.guest.ready_ms", readyAfter.TotalMilliseconds);
        MigrationLog.IncomingGuestRunning(_logger, Zone().Name, readyAfter.TotalMilliseconds);
        return (readyAfter, null);
    }

    /// <summary>Pauses the started guest when its lease ends without the commit; true when it did (the commit resumes it).</summary>
    private async Task<bool> PauseAtLeaseEndAsync(IGuest guest, string zoneName, TimeSpan limit, Task end)
    {
        // Counted again now that the vCPUs run: the time their start took is the lease's, not extra.
        TimeSpan remaining = limit - Stopwatch.GetElapsedTime(_lastAnswer);
        try
        {
            await end.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero).ConfigureAwait(false);
            return false;
        }
        catch (TimeoutException)
        {
            // The lease ended first.
        }

        try
        {
            await guest.Cpus.SuspendAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A guest that faulted does not run; the verdict or the commit finds out.
        }

        MigrationLog.IncomingGuestPaused(_logger, zoneName, limit.TotalMilliseconds);
        return true;
    }

    /// <summary>Ends the lease (the commit came, or the guest is being destroyed); true when the guest was paused by it.</summary>
    private async Task<bool> EndLeaseAsync()
    {
        if (_lease is not { } lease)
        {
            return false;
        }

        _lease = null;
        _leaseEnd!.TrySetResult();
        _leaseEnd = null;
        return await lease.ConfigureAwait(false);
    }

    /// <summary>Stops and destroys a guest started before the commit, before the source hears of a failure: only the source may run the zone then.</summary>
    private async Task StopStartedGuestAsync()
    {
        if (_committed || !GuestStarted || _guest is not { } guest)
        {
            return;
        }

        if (_pendingReceive is { } pending)
        {
            _pendingReceive = null;
            _ = pending.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        _guest = null;
        await EndLeaseAsync().ConfigureAwait(false);
        try
        {
            using var limit = new CancellationTokenSource(s_stopLimit);
            await guest.Cpus.SuspendAsync(limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A guest that faulted may not suspend; destroying it below stops it all the same.
        }

        (guest as IDisposable)?.Dispose();
    }
}
