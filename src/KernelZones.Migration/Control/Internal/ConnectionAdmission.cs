using System.Net;
using System.Net.Sockets;

namespace KernelZones.Migration.Control.Internal;

/// <summary>
/// Which connections the control service holds in their handshake: at most a total, at most a share per source address
/// and per network prefix (/24 for IPv4, /64 for IPv6, IPv4-mapped IPv6 addresses counted as IPv4), so that one address
/// or one network cannot take every slot. Thread-safe.
/// </summary>
/// <remarks>
/// <para>A newcomer from an address at its limit is refused: it can only crowd out itself. A newcomer whose prefix is
/// full takes the place of the oldest unprotected connection of the address in that prefix holding the most; when the
/// total is full, of the address holding the most in the prefix holding the most. The busiest holder pays for the
/// newcomer, never a quiet peer with one connection, and never a protected connection: one that completed TLS and
/// sent a valid hello (<see cref="TryProtect"/>). When every candidate is protected, the newcomer is refused.</para>
/// <para>Loopback is no exception: 127.0.0.1 and 127.0.0.2 share 127.0.0.0/24 (a local attacker could pick any
/// 127/8 address, so giving each its own prefix would let it multiply its share).</para>
/// </remarks>
internal sealed class ConnectionAdmission
{
    private const int IPv4PrefixLength = 24;
    private const int IPv6PrefixLength = 64;

    private readonly Lock _gate = new();
    private readonly LinkedList<Entry> _entries = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly Dictionary<IPAddress, int> _perPrefix = [];
    private readonly int _capacity;
    private readonly int _perAddressLimit;
    private readonly int _perPrefixLimit;

    public ConnectionAdmission(int capacity, int perAddressLimit, int perPrefixLimit)
    {
        _capacity = capacity;
        _perAddressLimit = perAddressLimit;
        _perPrefixLimit = perPrefixLimit;
    }

    /// <summary>Why a connection was turned away.</summary>
    public enum Rejection
    {
        /// <summary>Refused at once: its address already held its limit.</summary>
        AddressLimit,

        /// <summary>Refused at once: its prefix was full of protected connections.</summary>
        PrefixLimit,

        /// <summary>Refused at once: every slot was held by a protected connection.</summary>
        Full,

        /// <summary>Admitted earlier, closed to make room for a newcomer.</summary>
        Shed,
    }

    /// <summary>Connections held now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The address a connection is counted under: IPv4-mapped IPv6 addresses as IPv4.</summary>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The network a (normalized) address is counted in: its /24 (IPv4) or /64 (IPv6).</summary>
    public static IPAddress PrefixOf(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        int prefixBytes = (address.AddressFamily == AddressFamily.InterNetwork ? IPv4PrefixLength : IPv6PrefixLength) / 8;
        bytes[prefixBytes..length].Clear();
        return new IPAddress(bytes[..length]);
    }

    /// <summary>
    /// Admits a connection from <paramref name="remote"/>, closing another one to make room if needed. The admitted
    /// entry's <see cref="Entry.Token"/> is cancelled if it is shed later or <paramref name="stopping"/> ends.
    /// </summary>
    public Admission TryAdmit(IPAddress remote, CancellationToken stopping)
    {
        IPAddress address = Normalize(remote);
        IPAddress prefix = PrefixOf(address);
        Entry? shed;
        Entry entry;
        lock (_gate)
        {
            if (_perAddress.GetValueOrDefault(address) >= _perAddressLimit)
            {
                return new Admission(null, Rejection.AddressLimit, null);
            }

            bool prefixFull = _perPrefix.GetValueOrDefault(prefix) >= _perPrefixLimit;
            shed = null;
            if (prefixFull || _entries.Count >= _capacity)
            {
                shed = BusiestUnprotectedLocked(prefixFull ? prefix : null);
                if (shed is null)
                {
                    return new Admission(null, prefixFull ? Rejection.PrefixLimit : Rejection.Full, null);
                }

                RemoveLocked(shed);
                shed.IsShed = true;
            }

            entry = new Entry(address, prefix, CancellationTokenSource.CreateLinkedTokenSource(stopping));
            entry.Node = _entries.AddLast(entry);
            Increment(_perAddress, address);
            Increment(_perPrefix, prefix);
        }

        // Outside the lock: cancelling runs the shed handshake's callbacks, which may come back to Remove.
        shed?.Cancel();
        return new Admission(entry, null, shed?.Address);
    }

    /// <summary>Records that the peer completed TLS and sent a valid hello: it is no longer shed; false when it was shed meanwhile.</summary>
    public bool TryProtect(Entry entry)
    {
        lock (_gate)
        {
            entry.IsProtected = !entry.IsShed;
            return entry.IsProtected;
        }
    }

    /// <summary>Removes a finished handshake and releases its token.</summary>
    public void Remove(Entry entry)
    {
        lock (_gate)
        {
            if (!entry.IsShed)
            {
                RemoveLocked(entry);
            }
        }

        entry.Source.Dispose();
    }

    /// <summary>
    /// The oldest unprotected entry of the busiest holder: within <paramref name="prefix"/>, the address holding the
    /// most; over all (<see langword="null"/>), the address holding the most within the prefix holding the most.
    /// </summary>
    private Entry? BusiestUnprotectedLocked(IPAddress? prefix)
    {
        Entry? busiest = null;
        (int Prefix, int Address) most = (0, 0);
        for (var node = _entries.First; node is not null; node = node.Next)
        {
            Entry candidate = node.Value;
            if (candidate.IsProtected || (prefix is not null && !candidate.Prefix.Equals(prefix)))
            {
                continue;
            }

            // Oldest first, so a later entry wins only by belonging to a strictly busier holder.
            (int, int) held = (prefix is null ? _perPrefix[candidate.Prefix] : 0, _perAddress[candidate.Address]);
            if (busiest is null || held.CompareTo(most) > 0)
            {
                busiest = candidate;
                most = held;
            }
        }

        return busiest;
    }

    private void RemoveLocked(Entry entry)
    {
        _entries.Remove(entry.Node!);
        Decrement(_perAddress, entry.Address);
        Decrement(_perPrefix, entry.Prefix);
    }

    private static void Increment(Dictionary<IPAddress, int> counts, IPAddress key) =>
        counts[key] = counts.GetValueOrDefault(key) + 1;

    private static void Decrement(Dictionary<IPAddress, int> counts, IPAddress key)
    {
        int left = counts[key] - 1;
        if (left == 0)
        {
            counts.Remove(key);
        }
        else
        {
            counts[key] = left;
        }
    }

    /// <summary>The answer to a newcomer: its entry, or why it was refused; and the address of the connection shed for it, if any.</summary>
    public readonly record struct Admission(Entry? Entry, Rejection? Refused, IPAddress? ShedFrom);

    /// <summary>One connection in its handshake.</summary>
    public sealed class Entry(IPAddress address, IPAddress prefix, CancellationTokenSource source)
    {
        public IPAddress Address { get; } = address;

        public IPAddress Prefix { get; } = prefix;

        public CancellationTokenSource Source { get; } = source;

        public CancellationToken Token { get; } = source.Token;

        public LinkedListNode<Entry>? Node { get; set; }

        public bool IsShed { get; set; }

        public bool IsProtected { get; set; }

        public void Cancel()
        {
            try
            {
                Source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The handshake ended on its own meanwhile.
            }
        }
    }
}
