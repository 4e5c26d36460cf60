namespace KernelZones.Migration.Simulation;

/// <summary>
/// A simulated guest program: on its own thread it writes random bytes into pages of an <see cref="InMemoryGuest"/>
/// at a set rate over a working set with a hot/cold skew, pausing while the guest's vCPUs are suspended and
/// slowing down with the guest's throttle.
/// </summary>
/// <remarks>Thread-safety: every member may be called from any thread. The rate is kept with a token bucket on the
/// system's monotonic clock, from <see cref="Start"/> on; tokens do not accumulate beyond 20 ms of writes, so a pause is
/// not followed by a burst.</remarks>
public sealed partial class GuestWorkload : IDisposable
{
    private const int MaxPagesPerBatch = 256;
    private const double BucketSeconds = 0.02;

    private readonly InMemoryGuest _guest;
    private readonly long _firstPage;
    private readonly long _workingSetPages;
    private readonly long _hotPages;
    private readonly double _pagesPerSecond;
    private readonly GuestWorkloadOptions _options;
    private readonly TimeProvider _time;
    private readonly object _lifecycle = new();
    private CancellationTokenSource? _stop;
    private Thread? _thread;
    private long _pagesWritten;

    /// <summary>Creates a stopped workload for <paramref name="guest"/>; the guest stops it when disposed.</summary>
    /// <param name="guest">The guest to dirty.</param>
    /// <param name="options">Rate, working set and skew; <see langword="null"/> means the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public GuestWorkload(InMemoryGuest guest, GuestWorkloadOptions? options = null)
        : this(guest, options, TimeProvider.System)
    {
    }

    /// <summary>Creates a stopped workload whose rate follows <paramref name="time"/> (a test's manual clock).</summary>
    internal GuestWorkload(InMemoryGuest guest, GuestWorkloadOptions? options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _options = options ?? new GuestWorkloadOptions();
        InMemoryGuestMemory memory = guest.SimulatedMemory;
        ValidateOptions(_options, memory);
        _guest = guest;
        _firstPage = _options.WorkingSetOffset / memory.PageSize;
        _workingSetPages = _options.WorkingSetBytes == 0 ? memory.PageCount - _firstPage : _options.WorkingSetBytes / memory.PageSize;
        _hotPages = Math.Clamp((long)Math.Round(_workingSetPages * _options.HotSetFraction), 1, _workingSetPages);
        _pagesPerSecond = _options.DirtyMiBPerSecond * 1024 * 1024 / memory.PageSize;
        guest.Attach(this);
    }

    /// <summary>Pages written since creation (a page written twice counts twice). Does not move while the guest is suspended.</summary>
    public long PagesWritten => Interlocked.Read(ref _pagesWritten);

    /// <summary>Whether the workload's thread is running (it may be parked by a suspension).</summary>
    public bool IsRunning
    {
        get
        {
            lock (_lifecycle)
            {
                return _thread is not null;
            }
        }
    }

    /// <summary>Starts the workload's thread. Does nothing if it is running.</summary>
    public void Start()
    {
        lock (_lifecycle)
        {
            if (_thread is not null)
            {
                return;
            }

            _stop = new CancellationTokenSource();
            _thread = new Thread(Run) { IsBackground = true, Name = "KernelZones guest workload" };

            // The rate counts from here, not from whenever the thread first runs.
            _thread.Start((_stop.Token, _time.GetTimestamp()));
        }
    }

    /// <summary>Stops the workload and waits for its thread to end, also while the guest is suspended. Does nothing if it is stopped.</summary>
    public void Stop()
    {
        Thread? thread;
        CancellationTokenSource? stop;
        lock (_lifecycle)
        {
            (thread, stop, _thread, _stop) = (_thread, _stop, null, null);
        }

        if (thread is null || stop is null)
        {
            return;
        }

        stop.Cancel();
        _guest.SimulatedCpus.WakeWaiters();
        thread.Join();
        stop.Dispose();
    }

    /// <summary>Stops the workload.</summary>
    public void Dispose() => Stop();

    private static void ValidateOptions(GuestWorkloadOptions options, InMemoryGuestMemory memory)
    {
        Check(nameof(options), options.DirtyMiBPerSecond > 0 && double.IsFinite(options.DirtyMiBPerSecond), nameof(options.DirtyMiBPerSecond), "must be a positive number");
        Check(nameof(options), options.WorkingSetOffset >= 0 && options.WorkingSetOffset < memory.Size, nameof(options.WorkingSetOffset), "must lie inside guest memory");
        long available = memory.Size - (options.WorkingSetOffset / memory.PageSize * memory.PageSize);
        Check(nameof(options), options.WorkingSetBytes == 0 || (options.WorkingSetBytes >= memory.PageSize && options.WorkingSetBytes <= available),
            nameof(options.WorkingSetBytes), $"must be 0 or from one page to the {available} bytes after the offset");
        Check(nameof(options), options.HotSetFraction > 0 && options.HotSetFraction <= 1, nameof(options.HotSetFraction), "must be in (0, 1]");
        Check(nameof(options), options.HotWriteFraction >= 0 && options.HotWriteFraction <= 1, nameof(options.HotWriteFraction), "must be in [0, 1]");
        Check(nameof(options), options.BytesPerWrite >= 1 && options.BytesPerWrite <= memory.PageSize, nameof(options.BytesPerWrite), $"must be from 1 to the page size ({memory.PageSize})");
    }

    private static void Check(string paramName, bool valid, string option, string rule)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(paramName, $"{nameof(GuestWorkloadOptions)}.{option} {rule}.");
        }
    }
}
