namespace KernelZones.Migration.Kvm.VState;

/// <summary>
/// Suspend, resume and the auto-converge throttle over the vCPU threads. Suspension takes a hold on every vCPU and
/// waits until each is parked outside KVM_RUN with no exit pending; the throttle takes a hold for the off part of every
/// <see cref="ThrottlePeriod"/>.
/// </summary>
/// <remarks>Thread-safety: every member may be called from any thread; suspend and resume are not called concurrently (as <see cref="IVirtualCpus"/> states).</remarks>
internal sealed class KvmVirtualCpus : IVirtualCpus, IGuestThrottle, IDisposable
{
    /// <summary>The throttle's duty-cycle period: short enough that a heartbeat interval sees several periods.</summary>
    public static readonly TimeSpan ThrottlePeriod = TimeSpan.FromMilliseconds(20);

    private readonly VcpuThread[] _threads;
    private readonly Action _resuming;
    private readonly object _lock = new();
    private readonly AutoResetEvent _throttleChanged = new(false);
    private Thread? _throttleThread;
    private volatile bool _suspended;
    private bool _disposed;
    private double _runFraction = 1.0;

    /// <param name="threads">The vCPU threads.</param>
    /// <param name="startSuspended">Whether the threads start held (a guest created for restore).</param>
    /// <param name="resuming">Called by <see cref="ResumeAsync"/> of suspended vCPUs just before they run again.</param>
    public KvmVirtualCpus(VcpuThread[] threads, bool startSuspended, Action resuming)
    {
        _threads = threads;
        _suspended = startSuspended;
        _resuming = resuming;
    }

    public bool IsSuspended => _suspended;

    public double RunFraction => Volatile.Read(ref _runFraction);

    public IReadOnlyList<VcpuThread> Threads => _threads;

    public async ValueTask SuspendAsync(CancellationToken cancellationToken)
    {
        if (_suspended)
        {
            return;
        }

        Task[] parked = new Task[_threads.Length];
        for (int i = 0; i < _threads.Length; i++)
        {
            parked[i] = _threads[i].HoldAsync();
        }

        try
        {
            await Task.WhenAll(parked).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ReleaseAll();
            throw;
        }

        _suspended = true;
    }

    public ValueTask ResumeAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            // Under the lock Dispose takes first: a guest disposed while a caller still resumes it (a migration's
            // rollback after its owner gave up) throws here, never reads the memory unmapped after.
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_suspended)
            {
                _resuming();
                _suspended = false;
                ReleaseAll();
            }
        }

        return ValueTask.CompletedTask;
    }

    public void SetRunFraction(double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The run fraction must be greater than 0 and at most 1.");
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Volatile.Write(ref _runFraction, fraction);
            if (fraction < 1 && _throttleThread is null)
            {
                _throttleThread = new Thread(ThrottleLoop) { IsBackground = true, Name = "kvm-throttle" };
                _throttleThread.Start();
            }
        }

        _throttleChanged.Set();
    }

    public void Dispose()
    {
        Thread? throttle;
        lock (_lock)
        {
            _disposed = true;
            throttle = _throttleThread;
        }

        _throttleChanged.Set();
        throttle?.Join();
        _throttleChanged.Dispose();
    }

    private void ReleaseAll()
    {
        foreach (VcpuThread thread in _threads)
        {
            thread.Release();
        }
    }

    /// <summary>Runs the vCPUs for RunFraction of each period and holds them for the rest.</summary>
    private void ThrottleLoop()
    {
        while (true)
        {
            double fraction;
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                fraction = RunFraction;
            }

            if (fraction >= 1)
            {
                _throttleChanged.WaitOne();
                continue;
            }

            _throttleChanged.WaitOne(ThrottlePeriod * fraction);
            foreach (VcpuThread thread in _threads)
            {
                _ = thread.HoldAsync();
            }

            try
            {
                _throttleChanged.WaitOne(ThrottlePeriod * (1 - fraction));
            }
            finally
            {
                ReleaseAll();
            }
        }
    }
}
