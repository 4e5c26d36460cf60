using System.Net;

namespace KernelZones.Migration.Authentication.Internal;

/// <summary>
/// A token bucket of authentication failures per user name, shared by every address: a burst of failures, then one per
/// interval. An attempt needs a token before its credential is verified (given back when the credential is right), so a
/// peer spraying guesses from many addresses gets no more verified guesses than the budget, and none in parallel.
/// </summary>
/// <remarks>
/// <para>
/// The bucket does not lock the real user out for long: it refills within burst × interval, and an address that has
/// authenticated as the user before (since the service started; the last <see cref="MaxKnownAddresses"/> per user) does
/// not need a token, so the user keeps getting in from their usual sources however hard others guess. A source that
/// never authenticated waits for a token like anyone else: a spraying attacker has as many fresh addresses as they like,
/// so freshness cannot be what exempts an address.
/// </para>
/// <para>
/// Every user name gets a bucket the same way, whether or not the user exists, so the budget reveals nothing about
/// which users exist; only an address that proved the user's credential before is treated differently. Refusing happens
/// before any verification and depends only on the failure history, never on the password, so a refusal's fast answer
/// tells the peer nothing the refusal's text does not. The table is bounded: it holds only buckets that are not full
/// (a full bucket is the same as none); when <see cref="MaxTrackedUsers"/> names are draining at once, further names
/// share one overflow bucket, so a flood of made-up names can neither grow the table nor evict a drained bucket.
/// Thread-safe.
/// </para>
/// </remarks>
internal sealed class UserFailureBudget
{
    /// <summary>User names whose buckets are remembered at once.</summary>
    public const int MaxTrackedUsers = 4096;

    /// <summary>Addresses remembered per user as having authenticated.</summary>
    public const int MaxKnownAddresses = 16;

    /// <summary>Names are told apart by their first this many characters (real user names are far shorter).</summary>
    private const int MaxKeyLength = 128;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<IPAddress>> _knownAddresses = new(StringComparer.Ordinal);
    private readonly Bucket _overflow = new();
    private readonly int _burst;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly long _origin;

    /// <param name="burst">Failures allowed in a burst (at least 1).</param>
    /// <param name="interval">One more failure per this interval once the burst is spent; zero turns the budget off.</param>
    /// <param name="time">The clock.</param>
    public UserFailureBudget(int burst, TimeSpan interval, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        _burst = burst;
        _interval = interval;
        _time = time;
        _origin = time.GetTimestamp();
    }

    /// <summary>User names currently remembered (for tests: the table stays bounded).</summary>
    public int TrackedUsers
    {
        get
        {
            lock (_gate)
            {
                return _buckets.Count;
            }
        }
    }

    /// <summary>Takes a token for an attempt as <paramref name="user"/> from <paramref name="address"/> unless the address is known for the user.</summary>
    /// <param name="user">The user name the peer sent.</param>
    /// <param name="address">The peer's address.</param>
    /// <param name="tookToken">Whether a token was taken (give it back with <see cref="RecordSuccess"/>).</param>
    /// <returns><see langword="null"/> when the attempt may be verified; otherwise how long until a token is there.</returns>
    public TimeSpan? Admit(string user, IPAddress address, out bool tookToken)
    {
        tookToken = false;
        if (_interval == TimeSpan.Zero)
        {
            return null;
        }

        string key = Key(user);
        lock (_gate)
        {
            if (_knownAddresses.TryGetValue(key, out List<IPAddress>? known) && known.Contains(address))
            {
                return null;
            }

            TimeSpan now = Now();
            Bucket bucket = FindOrAddLocked(key, now);
            TimeSpan wait = bucket.FullAt - now - ((_burst - 1) * _interval);
            if (wait > TimeSpan.Zero)
            {
                return wait;
            }

            Take(bucket, now);
            tookToken = true;
            return null;
        }
    }

    /// <summary>Records a failure; one that held no token (from a known address) spends one if there is one.</summary>
    public void RecordFailure(string user, bool heldToken)
    {
        if (heldToken || _interval == TimeSpan.Zero)
        {
            return;
        }

        lock (_gate)
        {
            TimeSpan now = Now();
            Take(FindOrAddLocked(Key(user), now), now);
        }
    }

    /// <summary>Records a success: the token is given back and <paramref name="address"/> is known for <paramref name="user"/> from now on.</summary>
    public void RecordSuccess(string user, IPAddress address, bool heldToken)
    {
        string key = Key(user);
        lock (_gate)
        {
            if (heldToken)
            {
                TimeSpan now = Now();
                Bucket bucket = _buckets.GetValueOrDefault(key) ?? _overflow;
                bucket.FullAt = bucket.FullAt - _interval > now ? bucket.FullAt - _interval : now;
                if (bucket.FullAt <= now && bucket != _overflow)
                {
                    _buckets.Remove(key);
                }
            }

            // Only a proven credential adds an entry here, so this table is bounded by the users that exist.
            if (!_knownAddresses.TryGetValue(key, out List<IPAddress>? known))
            {
                _knownAddresses[key] = known = [];
            }

            known.Remove(address);
            known.Insert(0, address);
            if (known.Count > MaxKnownAddresses)
            {
                known.RemoveAt(known.Count - 1);
            }
        }
    }

    private static string Key(string user) => user.Length <= MaxKeyLength ? user : user[..MaxKeyLength];

    private TimeSpan Now() => _time.GetElapsedTime(_origin);

    /// <summary>Spends a token, or nothing when none is left (the bucket never holds less than none).</summary>
    private void Take(Bucket bucket, TimeSpan now)
    {
        TimeSpan emptyAt = now + (_burst * _interval);
        TimeSpan fullAt = (bucket.FullAt > now ? bucket.FullAt : now) + _interval;
        bucket.FullAt = fullAt < emptyAt ? fullAt : emptyAt;
    }

    private Bucket FindOrAddLocked(string key, TimeSpan now)
    {
        if (_buckets.TryGetValue(key, out Bucket? bucket))
        {
            return bucket;
        }

        if (_buckets.Count >= MaxTrackedUsers)
        {
            foreach (string name in _buckets.Where(b => b.Value.FullAt <= now).Select(b => b.Key).ToArray())
            {
                _buckets.Remove(name);
            }

            if (_buckets.Count >= MaxTrackedUsers)
            {
                return _overflow;
            }
        }

        bucket = new Bucket { FullAt = now };
        _buckets.Add(key, bucket);
        return bucket;
    }

    /// <summary>
    /// A bucket kept as the time it will be full again (the generic cell rate algorithm): it holds
    /// burst − (FullAt − now) / interval tokens, exactly, in whole clock ticks.
    /// </summary>
    private sealed class Bucket
    {
        public TimeSpan FullAt { get; set; }
    }
}
