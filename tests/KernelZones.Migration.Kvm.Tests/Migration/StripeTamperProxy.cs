using System.Net;
using System.Net.Sockets;

namespace KernelZones.Migration.Kvm.Tests.Migration;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a destination's data port (the destination advertises the proxy's port) that,
/// once its first connection has carried <see cref="FireAfterBytes"/> bytes from the source, flips one bit of the
/// stream or cuts the connection (both directions closed).
/// </summary>
internal sealed class StripeTamperProxy : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly List<Socket> _sockets = [];
    private readonly TaskCompletionSource _fired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _accept;
    private int _connections;

    public StripeTamperProxy()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    /// <summary>Where connections go; set before the first arrives.</summary>
    public IPEndPoint? Target { get; set; }

    /// <summary>Flip a bit (true) or cut the connection (false).</summary>
    public bool Flip { get; set; }

    /// <summary>Bytes from the source on the first connection before the fault; <see cref="long.MaxValue"/> (default) forwards untouched.</summary>
    public long FireAfterBytes { get; set; } = long.MaxValue;

    /// <summary>Connections accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Completes when the fault has been applied.</summary>
    public Task Fired => _fired.Task;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accept.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_sockets)
        {
            _sockets.ForEach(s => s.Dispose());
        }

        await Task.WhenAll(_pumps).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
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

            bool first = Interlocked.Increment(ref _connections) == 1;
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            await server.ConnectAsync(Target ?? throw new InvalidOperationException("The proxy has no target."), _stop.Token);
            _pumps.Add(PumpAsync(client, server, first));
            _pumps.Add(PumpAsync(server, client, tamper: false));
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool tamper)
    {
        byte[] buffer = new byte[64 << 10];
        long forwarded = 0;
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (tamper && !_fired.Task.IsCompleted && forwarded + read > FireAfterBytes)
                {
                    int at = (int)Math.Max(0, FireAfterBytes - forwarded);
                    if (!Flip)
                    {
                        from.Close();
                        to.Close();
                        _fired.TrySetResult();
                        return;
                    }

                    buffer[at] ^= 0x10;
                    _fired.TrySetResult();
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
                forwarded += read;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            from.Close();
            to.Close();
        }
    }
}
