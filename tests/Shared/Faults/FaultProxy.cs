using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace KernelZones.Testing.Faults;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a control or data port that cuts each direction into records (TLS or
/// stripe records) and, on command, delays, throttles, stalls or holds (one way, until released), cuts (FIN or RST),
/// corrupts, drops, duplicates or reorders them on connection 0 — the migration's control connection or its first stripe.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, FaultLink> _links = new();
    private readonly ConcurrentQueue<string> _effects = new();
    private readonly Lock _gate = new();
    private readonly Task _accept;
    private FaultPlan? _plan;
    private int _count;

    public FaultProxy(RecordFraming framing)
    {
        Framing = framing;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        _accept = AcceptAsync();
    }

    public RecordFraming Framing { get; }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Where accepted connections are forwarded; set before the first connection arrives.</summary>
    public IPEndPoint? Target { get; set; }

    public TimeSpan DelayTime { get; init; } = TimeSpan.FromMilliseconds(150);

    public double ThrottleBytesPerSecond { get; init; } = 16 << 20;

    /// <summary>The length of a stripe record's AEAD tag: 16, or 0 for the <c>none</c> cipher.</summary>
    public int StripeTagSize { get; init; } = 16;

    /// <summary>How long a reordered record waits for a later one before it goes alone.</summary>
    public TimeSpan ReorderWindow { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>What the faults did, in order.</summary>
    public IReadOnlyList<string> Effects => [.. _effects];

    public int Connections => Volatile.Read(ref _count);

    /// <summary>Arms a fault for connection 0 (replacing any armed one).</summary>
    public void Arm(FaultPlan plan)
    {
        lock (_gate)
        {
            plan.Remaining = plan.Skip;
            _plan = plan;
        }
    }

    /// <summary>Fires a connection-level fault on connection 0 now, between records (no record to act on).</summary>
    public void FireNow(FaultKind kind, Action? onFired = null)
    {
        onFired?.Invoke();
        if (_links.TryGetValue(0, out var link))
        {
            link.ApplyBetweenRecords(kind);
        }
        else
        {
            Arm(new FaultPlan { Kind = kind, AtAccept = true });
        }
    }

    /// <summary>Forwards nothing more in <paramref name="direction"/> on connection 0 (what arrives waits; both connections stay open) until <see cref="Release"/>.</summary>
    public void Hold(FlowDirection direction) => FirstLink.Hold(direction);

    /// <summary>Forwards again on connection 0, after a stall or a hold, what was held first.</summary>
    public void Release() => FirstLink.Release();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accept.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var link in _links.Values)
        {
            await link.DisposeAsync();
        }

        _stop.Dispose();
    }

    private FaultLink FirstLink => _links.TryGetValue(0, out var link) ? link : throw new InvalidOperationException("No connection has arrived yet.");

    internal void Record(string effect) => _effects.Enqueue(effect);

    /// <summary>The armed plan if it fires on this record (and disarms it).</summary>
    internal FaultPlan? TakeFiring(in ProxyRecord record)
    {
        lock (_gate)
        {
            if (_plan is not { } plan || plan.AtAccept || record.Connection != 0 || record.Direction != plan.Direction || !plan.Match(record))
            {
                return null;
            }

            if (plan.Remaining-- > 0)
            {
                return null;
            }

            _plan = null;
            return plan;
        }
    }

    private FaultPlan? TakeAtAccept(int index)
    {
        lock (_gate)
        {
            if (index != 0 || _plan is not { AtAccept: true } plan)
            {
                return null;
            }

            if (plan.Kind is FaultKind.Corrupt or FaultKind.Drop or FaultKind.Duplicate or FaultKind.Reorder)
            {
                // A record fault at connect acts on the first record the connecting side sends.
                _plan = new FaultPlan { Kind = plan.Kind, OnFired = plan.OnFired, Match = static r => r.Index == 0, Remaining = 0 };
                return null;
            }

            _plan = null;
            return plan;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            int index = Interlocked.Increment(ref _count) - 1;
            var link = new FaultLink(this, index, client);
            _links[index] = link;
            link.Start(TakeAtAccept(index), Target ?? throw new InvalidOperationException("The proxy has no target."));
        }
    }
}
