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
/// </summary>
internal sealed partial class DestinationMigration
{
    private static readonly TimeSpan s_stopLimit = TimeSpan.FromSeconds(5);
    private readonly Stopwatch _running = new();
    private Task<ControlMessage>? _pendingReceive;

    /// <summary>Whether the guest's vCPUs were started before the commit (the guest runs here from then on).</summary>
    private bool GuestStarted => _running.IsRunning;

    /// <summary>
    /// Starts the restored guest and waits until it runs. Returns how long it took, or null for a guest without the
    /// capability (its vCPUs start at the commit), or when the source aborted meanwhile (the abort is returned, to be handled).
    /// </summary>
    /// <exception cref="MigrationException">The guest faulted, reported a failure or gave no sign of life in time (<see cref="MigrationFailureKind.GuestNotReady"/>), or the control connection failed.</exception>
    private async Task<(TimeSpan? ReadyAfter, ControlMessage? Interruption)> StartGuestAsync(CancellationToken cancellationToken)
    {
        if (_guest is not IGuestReadiness readiness)
        {
            return (null, null);
        }

        _running.Start();
        await _guest.Cpus.ResumeAsync(cancellationToken).ConfigureAwait(false);
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
