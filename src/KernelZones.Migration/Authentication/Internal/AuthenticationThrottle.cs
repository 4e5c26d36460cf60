using System.Net;

namespace KernelZones.Migration.Authentication.Internal;

/// <summary>
/// Slows down repeated authentication failures from one address: the n-th consecutive failure waits
/// base × 2^(n-1), at most the maximum, before it is answered. A success clears the address, and so does a quiet
/// period (<see cref="ForgetAfter"/> without a failure): a mistyped password long ago does not slow the next one down.
/// The table is bounded.
/// </summary>
/// <remarks>
/// An address gets one attempt at a time (<see cref="WaitTurnAsync"/>): without that, a peer opening many connections
/// at once would verify a guess on each in parallel and sit out the delays together, so the delay would slow down
/// nobody (issue #8). Other addresses are never held up; the correct password is answered without delay.
/// </remarks>
internal sealed class AuthenticationThrottle
{
    private const int MaxTrackedAddresses = 4096;

    /// <summary>How long after its last failure an address's count starts again from zero: 15 minutes.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(15);

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, Entry> _entries = [];
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;

    public AuthenticationThrottle(TimeSpan baseDelay, TimeSpan maxDelay, TimeProvider? time = null)
    {
        _baseDelay = baseDelay;
        _maxDelay = maxDelay;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Waits until no other attempt from <paramref name="address"/> is being verified or sitting out its delay.</summary>
    /// <returns>The turn; dispose it when the attempt has been answered.</returns>
    public async ValueTask<IDisposable> WaitTurnAsync(IPAddress address, CancellationToken cancellationToken)
    {
        Entry entry = Enter(address);
        try
        {
            await entry.Turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(address, entry, release: false);
            throw;
        }

        return new Lease(this, address, entry);
    }

    /// <summary>Records a failure and returns the consecutive failure count and the delay to apply before answering.</summary>
    public (int Failures, TimeSpan Delay) RecordFailure(IPAddress address)
    {
        int failures;
        lock (_gate)
        {
            Entry entry = FindOrAddLocked(address);
            long now = _time.GetTimestamp();
            if (entry.Failures > 0 && _time.GetElapsedTime(entry.LastFailure, now) >= ForgetAfter)
            {
                entry.Failures = 0;
            }

            entry.LastFailure = now;
            failures = entry.Failures = entry.Failures == int.MaxValue ? int.MaxValue : entry.Failures + 1;
        }

        int exponent = Math.Min(failures - 1, 30);
        double ticks = Math.Min(_baseDelay.Ticks * Math.Pow(2, exponent), _maxDelay.Ticks);
        return (failures, TimeSpan.FromTicks((long)ticks));
    }

    public void RecordSuccess(IPAddress address)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(address, out Entry? entry))
            {
                entry.Failures = 0;
                RemoveIfIdleLocked(address, entry);
            }
        }
    }

    /// <summary>Addresses currently remembered (for tests: the table stays bounded).</summary>
    internal int TrackedAddresses
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    private Entry Enter(IPAddress address)
    {
        lock (_gate)
        {
            Entry entry = FindOrAddLocked(address);
            entry.Users++;
            return entry;
        }
    }

    private void Leave(IPAddress address, Entry entry, bool release)
    {
        if (release)
        {
            entry.Turn.Release();
        }

        lock (_gate)
        {
            entry.Users--;
            RemoveIfIdleLocked(address, entry);
        }
    }

    private Entry FindOrAddLocked(IPAddress address)
    {
        if (_entries.TryGetValue(address, out Entry? entry))
        {
            return entry;
        }

        if (_entries.Count >= MaxTrackedAddresses)
        {
            // A flood of distinct addresses must not grow the table without bound; forgetting idle addresses is the safe direction.
            foreach (var (key, idle) in _entries.Where(e => e.Value.Users == 0).ToArray())
            {
                _entries.Remove(key);
                idle.Turn.Dispose();
            }
        }

        entry = new Entry();
        _entries.Add(address, entry);
        return entry;
    }

    private void RemoveIfIdleLocked(IPAddress address, Entry entry)
    {
        if (entry.Users == 0 && entry.Failures == 0 && _entries.Remove(address))
        {
            entry.Turn.Dispose();
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);

        public int Failures { get; set; }

        public long LastFailure { get; set; }

        public int Users { get; set; }
    }

    private sealed class Lease(AuthenticationThrottle throttle, IPAddress address, Entry entry) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                throttle.Leave(address, entry, release: true);
            }
        }
    }
}
