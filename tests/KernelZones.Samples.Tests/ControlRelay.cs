using System.Net;
using System.Net.Sockets;

namespace KernelZones.Samples.Tests;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of the receiver's control port, for one connection. Once armed (when the sender
/// reports "Suspending zone on source host."), the destination's answers left are the verification and then the
/// answer to the commit; by default the relay forwards the first and holds the second, so the test knows the
/// destination has committed while the source has no acknowledgement. Holding the first instead keeps the source
/// from ever committing. The control channel is TLS: the relay sees only chunks, which
/// on loopback are one TLS record (one message) each.
/// </summary>
internal sealed class ControlRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _commitAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _relay;
    private readonly int _heldAnswer;
    private int _armed;
    private int _answersSinceArmed;

    /// <param name="targetPort">The receiver's control port.</param>
    /// <param name="heldAnswer">Which answer after arming is held: 2 (the commit's, default) or 1 (the verification's).</param>
    public ControlRelay(int targetPort, int heldAnswer = 2)
    {
        _target = targetPort;
        _heldAnswer = heldAnswer;
        _listener.Start();
        _relay = RelayAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Completes when the held answer reached the relay (and was held).</summary>
    public Task CommitAnswered => _commitAnswered.Task;

    public void Arm() => Volatile.Write(ref _armed, 1);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _relay.WaitAsync(TimeSpan.FromSeconds(30));
        _stop.Dispose();
    }

    private async Task RelayAsync()
    {
        try
        {
            using Socket source = await _listener.AcceptSocketAsync(_stop.Token);
            using var destination = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await destination.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target), _stop.Token);
            Task forward = PumpAsync(source, destination, hold: false);
            Task back = PumpAsync(destination, source, hold: true);
            await Task.WhenAny(forward, back);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The test ended the relay, or a side went away: the connection ends with it.
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool hold)
    {
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                return;
            }

            if (hold && Volatile.Read(ref _armed) == 1 && Interlocked.Increment(ref _answersSinceArmed) == _heldAnswer)
            {
                _commitAnswered.TrySetResult();
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        }
    }
}
