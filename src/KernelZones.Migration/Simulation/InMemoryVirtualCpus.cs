using KernelZones.Migration.Guests;
namespace KernelZones.Migration.Simulation;

/// <summary>
/// Simulated vCPUs: a gate that the guest's workloads pass through for every batch of writes. Suspending
/// closes the gate and waits until every workload is parked outside it; it also carries the auto-converge throttle.
/// </summary>
/// <remarks>Thread-safety: every member may be called from any thread.</remarks>
internal sealed class InMemoryVirtualCpus : IVirtualCpus, IGuestThrottle
{
    private readonly object _gate = new();
    private int _running;
    private int _waiting;
    private bool _suspended;
    private TaskCompletionSource? _parked;
    private double _runFraction = 1.0;

    /// <inheritdoc/>
    public bool IsSuspended
    {
        get
        {
            lock (_gate)
            {
                return _suspended && _parked is null;
            }
        }
    }

    /// <inheritdoc/>
    public double RunFraction => Volatile.Read(ref _runFraction);

    /// <inheritdoc/>
    public void SetRunFraction(double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The run fraction must be greater than 0 and at most 1.");
        }

        Volatile.Write(ref _runFraction, fraction);
    }

    /// <inheritdoc/>
    public async ValueTask SuspendAsync(CancellationToken cancellationToken)
    {
        Task parked;
        lock (_gate)
        {
            if (_suspended && _parked is null)
            {
                return;
            }

            _suspended = true;
            _parked ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_running == 0)
            {
                _parked.TrySetResult();
                _parked = null;
                return;
            }

            parked = _parked.Task;
        }

        try
        {
            await parked.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Open();
            throw;
        }
    }

    /// <inheritdoc/>
    public ValueTask ResumeAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Open();
        return ValueTask.CompletedTask;
    }

    /// <summary>Threads waiting in <see cref="TryEnterRunning"/> for the vCPUs to run (a workload that came back round to a closed gate).</summary>
    internal int ParkedThreads
    {
        get
        {
            lock (_gate)
            {
                return _waiting;
            }
        }
    }

    /// <summary>Waits until the vCPUs run, then counts the caller as running; pair with <see cref="ExitRunning"/>.</summary>
    /// <returns><see langword="false"/> if <paramref name="cancellationToken"/> was cancelled while waiting (the caller is then not running).</returns>
    /// <remarks>The waiter is woken by <see cref="ResumeAsync"/> or by <see cref="WakeWaiters"/>, which a workload calls when it stops.</remarks>
    internal bool TryEnterRunning(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            while (_suspended && !cancellationToken.IsCancellationRequested)
            {
                _waiting++;
                Monitor.Wait(_gate);
                _waiting--;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            _running++;
            return true;
        }
    }

    /// <summary>Counts the caller out; completes a pending suspension when it was the last one running.</summary>
    internal void ExitRunning()
    {
        lock (_gate)
        {
            _running--;
            if (_running == 0 && _parked is not null)
            {
                _parked.TrySetResult();
                _parked = null;
            }
        }
    }

    /// <summary>Wakes every thread waiting in <see cref="TryEnterRunning"/> so that it can see its cancellation.</summary>
    internal void WakeWaiters()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }

    private void Open()
    {
        lock (_gate)
        {
            _suspended = false;
            _parked?.TrySetCanceled();
            _parked = null;
            Monitor.PulseAll(_gate);
        }
    }
}
