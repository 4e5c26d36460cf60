using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KernelZones.Benchmarks.Flood;

/// <summary>
/// Plain TCP connections (no TLS, not a byte sent) to a port at a steady rate from one local address, each held until
/// the service closes it, as an attacker holding handshake slots would. The connects are started on a thread of their
/// own so that the rate holds while the thread pool is busy with the migrations; bounded in total.
/// </summary>
internal sealed class ConnectionFlood : IAsyncDisposable
{
    private static readonly TimeSpan s_connectLimit = TimeSpan.FromSeconds(5);
    private readonly int _port;
    private readonly IPAddress _from;
    private readonly int _perSecond;
    private readonly int _limit;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, Task> _held = new();
    private readonly TaskCompletionSource _firstClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _loop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _opened;
    private int _closed;

    public ConnectionFlood(int port, IPAddress from, int perSecond, int limit)
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

    public int Closed => Volatile.Read(ref _closed);

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
                long due = Math.Min(_limit, (long)(_clock.Elapsed.TotalSeconds * _perSecond));
                while (_opened < due && !_stop.IsCancellationRequested)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    _opened++;
                    socket.Bind(new IPEndPoint(_from, 0));
                    _held[socket] = WatchAsync(socket, socket.ConnectAsync(IPAddress.Loopback, _port));
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

    private async Task WatchAsync(Socket socket, Task connect)
    {
        try
        {
            await connect.WaitAsync(s_connectLimit);
            while (await socket.ReceiveAsync(new byte[16], SocketFlags.None) > 0)
            {
            }

            CountClosed();
        }
        catch (SocketException) when (!_stop.IsCancellationRequested)
        {
            CountClosed();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or TimeoutException)
        {
            // Ours, at the end of the flood, or a connect that never completed.
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
