using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace KernelZones.Migration.Transport.Tests.Infrastructure;

/// <summary>
/// A TCP proxy on 127.0.0.1 that forwards every accepted connection to a target and can, per connection and
/// on command, corrupt a byte of the upstream direction or cut the connection with a reset.
/// </summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, Link> _links = new();
    private readonly List<Task> _pumps = [];
    private readonly Task _accept;
    private int _count;

    public TcpProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        _accept = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Upstream byte offset (per connection) whose byte is XOR-ed with 0x01; -1 for none.</summary>
    public long CorruptUpstreamAt { get; set; } = -1;

    public int Connections => Volatile.Read(ref _count);

    /// <summary>
    /// When positive: on the client's close, the last this many upstream bytes are sent again, and only then the close:
    /// a record replayed after the end of the stream (TCP keeps it behind everything that came before).
    /// </summary>
    public int ReplayUpstreamTailOnClose { get; set; }

    public TaskCompletionSource<byte[]> FirstUpstreamBytes { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long UpstreamBytes(int connection) => _links.TryGetValue(connection, out var link) ? Interlocked.Read(ref link.Upstream) : 0;

    /// <summary>Resets both halves of connection <paramref name="connection"/> (the order in which it was accepted).</summary>
    public void Cut(int connection)
    {
        if (_links.TryGetValue(connection, out var link))
        {
            Reset(link.Client);
            Reset(link.Server);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        foreach (var link in _links.Values)
        {
            link.Client.Dispose();
            link.Server.Dispose();
        }

        await _accept.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] pumps;
        lock (_pumps)
        {
            pumps = [.. _pumps];
        }

        await Task.WhenAll(pumps).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception)
        {
            // already gone
        }

        socket.Dispose();
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
            catch (Exception)
            {
                return;
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(_target);
            int index = Interlocked.Increment(ref _count) - 1;
            var link = new Link(client, server);
            _links[index] = link;
            lock (_pumps)
            {
                _pumps.Add(PumpAsync(link, client, server, upstream: true, index));
                _pumps.Add(PumpAsync(link, server, client, upstream: false, index));
            }
        }
    }

    private async Task PumpAsync(Link link, Socket from, Socket to, bool upstream, int index)
    {
        byte[] buffer = new byte[64 * 1024];
        byte[] tail = [];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    if (upstream && ReplayUpstreamTailOnClose > 0)
                    {
                        await to.SendAsync(tail.AsMemory(Math.Max(0, tail.Length - ReplayUpstreamTailOnClose)), SocketFlags.None, _stop.Token);
                    }

                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (upstream && ReplayUpstreamTailOnClose > 0)
                {
                    byte[] combined = [.. tail, .. buffer.AsSpan(0, n)];
                    tail = combined[Math.Max(0, combined.Length - ReplayUpstreamTailOnClose)..];
                }

                if (upstream)
                {
                    long start = Interlocked.Add(ref link.Upstream, n) - n;
                    if (index == 0 && start == 0)
                    {
                        FirstUpstreamBytes.TrySetResult(buffer.AsSpan(0, Math.Min(n, 76)).ToArray());
                    }

                    long corrupt = CorruptUpstreamAt;
                    if (corrupt >= start && corrupt < start + n)
                    {
                        buffer[corrupt - start] ^= 0x01;
                    }
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception)
        {
            Reset(to);
        }
    }

    private sealed class Link(Socket client, Socket server)
    {
        public long Upstream;

        public Socket Client { get; } = client;

        public Socket Server { get; } = server;
    }
}
