using System.Net;
using System.Net.Sockets;

namespace KernelZones.Migration.Kvm.Tests.Migration;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a destination's control port that, on command, stops forwarding one or both
/// directions while both sockets stay open (a link that goes silent without failing: no reset, no close), forwards
/// again what it held, or closes everything.
/// </summary>
internal sealed class ControlStallRelay : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly List<Socket> _sockets = [];
    private readonly Gate _toDestination = new();
    private readonly Gate _toSource = new();
    private readonly Task _accept;

    public ControlStallRelay(int targetPort)
    {
        Target = new IPEndPoint(IPAddress.Loopback, targetPort);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(4);
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    private IPEndPoint Target { get; }

    /// <summary>Stops forwarding in both directions; what arrives is held, the sockets stay open.</summary>
    public void Stall()
    {
        _toDestination.Close();
        _toSource.Close();
    }

    /// <summary>Stops forwarding from the source to the destination only.</summary>
    public void HoldToDestination() => _toDestination.Close();

    /// <summary>Forwards again (what was held first) from the source to the destination.</summary>
    public void ReleaseToDestination() => _toDestination.Open();

    /// <summary>Closes every connection (both sides see it fail).</summary>
    public void Close()
    {
        lock (_sockets)
        {
            _sockets.ForEach(s => s.Dispose());
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accept.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Close();
        _toDestination.Open();
        _toSource.Open();
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

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            await server.ConnectAsync(Target, _stop.Token);
            _pumps.Add(PumpAsync(client, server, _toDestination));
            _pumps.Add(PumpAsync(server, client, _toSource));
        }
    }

    private async Task PumpAsync(Socket from, Socket to, Gate gate)
    {
        byte[] buffer = new byte[64 << 10];
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

                await gate.PassAsync(_stop.Token);
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            from.Close();
            to.Close();
        }
    }

    /// <summary>Open: bytes pass; closed: they wait at the gate until it opens again.</summary>
    private sealed class Gate
    {
        private volatile TaskCompletionSource _open = Opened();

        public void Close()
        {
            if (_open.Task.IsCompleted)
            {
                _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        public void Open() => _open.TrySetResult();

        public Task PassAsync(CancellationToken cancellationToken) => _open.Task.WaitAsync(cancellationToken);

        private static TaskCompletionSource Opened()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }
    }
}
