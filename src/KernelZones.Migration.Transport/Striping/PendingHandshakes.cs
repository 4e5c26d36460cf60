namespace KernelZones.Migration.Transport.Striping;

/// <summary>
/// The connections a listener holds in their handshake, oldest first, at most a cap. When it is full, a new connection
/// closes the oldest one still waiting for the peer's opening message instead of being turned away, so that a flood of
/// silent or trickling connections cannot keep out a real peer, who sends its opening at once. Thread-safe.
/// </summary>
internal sealed class PendingHandshakes
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Entry> _entries = new();
    private readonly int _capacity;

    public PendingHandshakes(int capacity) => _capacity = capacity;

    /// <summary>The connections held in their handshake now (evicted and finished ones are no longer counted).</summary>
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

    /// <summary>
    /// Admits a connection: returns its entry, whose <see cref="Entry.Token"/> is cancelled if it is later evicted or
    /// <paramref name="stopping"/> ends; <see langword="null"/> when the list is full of handshakes whose opening has arrived.
    /// </summary>
    public Entry? TryAdmit(CancellationToken stopping)
    {
        Entry? evicted = null;
        var entry = new Entry(CancellationTokenSource.CreateLinkedTokenSource(stopping));
        lock (_gate)
        {
            if (_entries.Count >= _capacity)
            {
                evicted = OldestWaitingLocked();
                if (evicted is null)
                {
                    entry.Source.Dispose();
                    return null;
                }

                _entries.Remove(evicted.Node!);
                evicted.IsEvicted = true;
            }

            entry.Node = _entries.AddLast(entry);
        }

        evicted?.Cancel();
        return entry;
    }

    /// <summary>Records that the peer has sent its opening (the entry can no longer be evicted); false when it was evicted meanwhile.</summary>
    public bool TryProtect(Entry entry)
    {
        lock (_gate)
        {
            entry.IsProtected = !entry.IsEvicted;
            return entry.IsProtected;
        }
    }

    /// <summary>Removes a finished handshake.</summary>
    public void Remove(Entry entry)
    {
        lock (_gate)
        {
            if (!entry.IsEvicted)
            {
                _entries.Remove(entry.Node!);
            }
        }

        entry.Source.Dispose();
    }

    private Entry? OldestWaitingLocked()
    {
        for (var node = _entries.First; node is not null; node = node.Next)
        {
            if (!node.Value.IsProtected)
            {
                return node.Value;
            }
        }

        return null;
    }

    internal sealed class Entry(CancellationTokenSource source)
    {
        public CancellationTokenSource Source { get; } = source;

        public CancellationToken Token { get; } = source.Token;

        public LinkedListNode<Entry>? Node { get; set; }

        public bool IsEvicted { get; set; }

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
