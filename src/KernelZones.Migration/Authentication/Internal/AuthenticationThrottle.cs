using System.Net;

namespace KernelZones.Migration.Authentication.Internal;

/// <summary>
/// Slows down password and key guessing. Two limits, both checked before a credential is verified, both answered at once
/// (nothing sleeps inside the handshake, so no penalty can outlast the handshake deadline):
/// <list type="bullet">
/// <item>Per address: after its n-th consecutive failure an address is refused for base × 2^(n-1), at most the maximum.
/// A success clears the address, and so does a quiet period (<see cref="ForgetAfter"/> without a failure).</item>
/// <item>Per user name, across all addresses: a <see cref="UserFailureBudget"/>.</item>
/// </list>
/// The tables are bounded.
/// </summary>
/// <remarks>
/// An address gets one attempt at a time (<see cref="WaitTurnAsync"/>): without that, a peer opening many connections
/// at once would have a guess verified on each before the first failure's penalty was recorded. Other addresses are
/// never held up. Thread-safe.
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
    private readonly UserFailureBudget _users;

    /// <param name="baseDelay">The penalty after an address's first failure; doubles per further failure.</param>
    /// <param name="maxDelay">The longest penalty of an address.</param>
    /// <param name="userBurst">Failures per user name allowed in a burst, from all addresses together.</param>
    /// <param name="userInterval">After the burst, one failure per user name per this interval; zero turns the user budget off.</param>
    /// <param name="time">The clock; <see langword="null"/> for the system clock.</param>
    public AuthenticationThrottle(TimeSpan baseDelay, TimeSpan maxDelay, int userBurst, TimeSpan userInterval, TimeProvider? time = null)
    {
        _baseDelay = baseDelay;
        _maxDelay = maxDelay;
        _time = time ?? TimeProvider.System;
        _users = new UserFailureBudget(userBurst, userInterval, _time);
    }

    /// <summary>Waits until no other attempt from <paramref name="address"/> is being admitted and verified.</summary>
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

    /// <summary>
    /// Decides whether an attempt from <paramref name="address"/> as <paramref name="user"/> may have its credential
    /// verified. Call it during the address's turn; answer a refusal without verifying anything.
    /// </summary>
    public Admission Admit(IPAddress address, string user)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(address, out Entry? entry) && RemainingPenaltyLocked(entry) is { } wait)
            {
                return Admission.Refuse($"too many failed logins from {address}: try again in {Seconds(wait)} s", wait);
            }
        }

        return _users.Admit(user, address, out bool tookToken) is { } userWait
            ? Admission.Refuse($"too many failed logins for user '{user}': try again in {Seconds(userWait)} s", userWait)
            : tookToken ? Admission.WithUserToken : Admission.Admitted;
    }

    /// <summary>Records a failed verification of an admitted attempt.</summary>
    /// <returns>The address's consecutive failure count and how long it is now refused.</returns>
    public (int Failures, TimeSpan Penalty) RecordFailure(IPAddress address, string user, Admission admission)
    {
        _users.RecordFailure(user, admission.HoldsUserToken);
        int failures;
        TimeSpan penalty;
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
            int exponent = Math.Min(failures - 1, 30);
            penalty = entry.Penalty = TimeSpan.FromTicks((long)Math.Min(_baseDelay.Ticks * Math.Pow(2, exponent), _maxDelay.Ticks));
        }

        return (failures, penalty);
    }

    /// <summary>Records a successful verification of an admitted attempt: the address starts again from zero.</summary>
    public void RecordSuccess(IPAddress address, string user, Admission admission)
    {
        _users.RecordSuccess(user, address, admission.HoldsUserToken);
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

    /// <summary>User names currently remembered (for tests: the table stays bounded).</summary>
    internal int TrackedUsers => _users.TrackedUsers;

    private static long Seconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));

    private TimeSpan? RemainingPenaltyLocked(Entry entry)
    {
        if (entry.Failures == 0)
        {
            return null;
        }

        TimeSpan remaining = entry.Penalty - _time.GetElapsedTime(entry.LastFailure);
        return remaining > TimeSpan.Zero ? remaining : null;
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
            // A flood of distinct addresses must not grow the table without bound. Addresses still serving a penalty
            // are kept while others can go, so flooding does not readily wipe the penalties out.
            Evict(e => e.Users == 0 && RemainingPenaltyLocked(e) is null);
            if (_entries.Count >= MaxTrackedAddresses)
            {
                Evict(e => e.Users == 0);
            }
        }

        entry = new Entry();
        _entries.Add(address, entry);
        return entry;

        void Evict(Func<Entry, bool> evictable)
        {
            foreach (var (key, idle) in _entries.Where(e => evictable(e.Value)).ToArray())
            {
                _entries.Remove(key);
                idle.Turn.Dispose();
            }
        }
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

        public TimeSpan Penalty { get; set; }

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

/// <summary>The throttle's verdict on one attempt before its credential is verified.</summary>
/// <param name="Refusal">Why the attempt is refused (for the peer and the log), or <see langword="null"/> when it may be verified.</param>
/// <param name="RetryAfter">How long until an attempt could be admitted; zero when admitted.</param>
/// <param name="HoldsUserToken">The attempt took a token of its user's failure budget (given back on success).</param>
internal readonly record struct Admission(string? Refusal, TimeSpan RetryAfter, bool HoldsUserToken)
{
    public static Admission Admitted => default;

    public static Admission WithUserToken => new(null, TimeSpan.Zero, HoldsUserToken: true);

    public static Admission Refuse(string reason, TimeSpan retryAfter) => new(reason, retryAfter, HoldsUserToken: false);
}
