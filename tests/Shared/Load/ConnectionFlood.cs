using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KernelZones.Testing.Load;

/// <summary>
/// Plain TCP connections to a port (no TLS, not a byte sent) at a steady rate from a rotation of local addresses
/// (Linux routes all of 127/8 to loopback, so a client socket bound to 127.0.1.1 arrives from 127.0.1.1), each held
/// until the service closes it. Bounded in total; every connect has its own deadline (5 s). The connects run on a thread of
/// their own, so that the rate holds while the thread pool is busy with the migrations the flood is aimed at.
/// </summary>
internal sealed class ConnectionFlood : IAsyncDisposable
{
    private static readonly TimeSpan s_connectLimit = TimeSpan.FromSeconds(5);
    private readonly int _port;
    private readonly IPAddress[] _from;
    private readonly int _perSecond;
    private readonly int _limit;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, Task> _held = new();
    private readonly TaskCompletionSource _firstClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TaskCompletionSource _loop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _opened;
    private int _closed;
    private int _failed;

    public ConnectionFlood(int port, IPAddress[] from, int perSecond, int limit)
    {
        _port = port;
        _from = from;
        _perSecond = perSecond;
        _limit = limit;
        new Thread(Run) { IsBackground = true, Name = "connection flood" }.Start();
    }

    /// <summary>Completes when the service closed a flood connection: its caps are reached.</summary>
    public Task FirstClosed => _firstClosed.Task;

    public int Opened => Volatile.Read(ref _opened);

    /// <summary>Connections the service closed (refused at once or shed).</summary>
    public int Closed => Volatile.Read(ref _closed);

    /// <summary>Connects that failed or missed their deadline.</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>Connections opened per second so far.</summary>
    public double Rate => Opened / _clock.Elapsed.TotalSeconds;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.Task.WaitAsync(TimeSpan.FromSeconds(30));
        foreach (Socket socket in _held.Keys)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_held.Values).WaitAsync(TimeSpan.FromSeconds(30));
        _stop.Dispose();
    }

    private void Run()
    {
        try
        {
            while (_opened < _limit && !_stop.IsCancellationRequested)
            {
                // Catch up with the clock: the rate holds even when the thread was held up on a busy machine.
                long due = Math.Min(_limit, (long)(_clock.Elapsed.TotalSeconds * _perSecond));
                while (_opened < due && !_stop.IsCancellationRequested)
                {
                    Open(_from[_opened % _from.Length]);
                }

                // Until the next connection is due (a millisecond at 1,000/s), or until stopped.
                _stop.Token.WaitHandle.WaitOne(1);
            }
        }
        finally
        {
            _loop.SetResult();
        }
    }

    private void Open(IPAddress from)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Interlocked.Increment(ref _opened);
        try
        {
            socket.Bind(new IPEndPoint(from, 0));
        }
        catch (SocketException)
        {
            Interlocked.Increment(ref _failed);
            socket.Dispose();
            return;
        }

        // The connect starts here, on this thread; its completion and the watch run on the pool, so nothing here waits.
        _held[socket] = WatchAsync(socket, socket.ConnectAsync(IPAddress.Loopback, _port));
    }

    private async Task WatchAsync(Socket socket, Task connect)
    {
        try
        {
            await connect.WaitAsync(s_connectLimit);
        }
        catch (Exception e) when (e is SocketException or TimeoutException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _failed);
            _held.TryRemove(socket, out _);
            socket.Dispose();
            return;
        }

        try
        {
            while (await socket.ReceiveAsync(new byte[16], SocketFlags.None) > 0)
            {
            }

            CountClosed();
        }
        catch (SocketException) when (!_stop.IsCancellationRequested)
        {
            CountClosed(); // reset by the service: closed as well
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Ours, at the end of the flood.
        }
        finally
        {
            _held.TryRemove(socket, out _);
            socket.Dispose();
        }
    }

    private void CountClosed()
    {
        Interlocked.Increment(ref _closed);
        _firstClosed.TrySetResult();
    }
}
