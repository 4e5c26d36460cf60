using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KernelZones.Testing.Faults;

/// <summary>One proxied connection: a pump per direction that forwards whole records and applies the proxy's faults.</summary>
internal sealed partial class FaultLink : IAsyncDisposable
{
    private readonly FaultProxy _proxy;
    private readonly int _index;
    private readonly Socket _client;
    private readonly Socket _server = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly Gate[] _gates = [new(), new()];
    private readonly Stopwatch _throttleClock = new();
    private readonly long[] _throttledBytes = new long[2];
    private Task _run = Task.CompletedTask;
    private volatile bool _cut;
    private volatile bool _throttle;

    public FaultLink(FaultProxy proxy, int index, Socket client)
    {
        _proxy = proxy;
        _index = index;
        _client = client;
        _client.NoDelay = true;
    }

    public void Start(FaultPlan? atAccept, IPEndPoint target) => _run = RunAsync(atAccept, target);

    public async ValueTask DisposeAsync()
    {
        Array.ForEach(_gates, g => g.Open());
        Reset(_client);
        Reset(_server);
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already closed
        }

        socket.Dispose();
    }

    private async Task RunAsync(FaultPlan? atAccept, IPEndPoint target)
    {
        if (atAccept is { } plan)
        {
            atAccept.OnFired?.Invoke();
            if (plan.Kind is FaultKind.CutFin or FaultKind.CutRst)
            {
                _proxy.Record($"#{_index} {plan.Kind} on accept, before connecting to the target");
                if (plan.Kind == FaultKind.CutRst)
                {
                    Reset(_client);
                }
                else
                {
                    _client.Shutdown(SocketShutdown.Both);
                    _client.Dispose();
                }

                return;
            }

            if (plan.Kind == FaultKind.Delay)
            {
                _proxy.Record($"#{_index} connection held {_proxy.DelayTime.TotalMilliseconds:0} ms on accept");
                await Task.Delay(_proxy.DelayTime);
            }
            else if (plan.Kind is { } kind)
            {
                ApplyBetweenRecords(kind);
            }
        }

        try
        {
            await _server.ConnectAsync(target);
        }
        catch (SocketException)
        {
            Reset(_client);
            return;
        }

        await Task.WhenAll(PumpAsync(_client, _server, FlowDirection.Upstream), PumpAsync(_server, _client, FlowDirection.Downstream));
        _client.Dispose();
        _server.Dispose();
    }

    private async Task PumpAsync(Socket from, Socket to, FlowDirection direction)
    {
        var framing = _proxy.Framing;
        var splitter = new RecordSplitter(framing, direction == FlowDirection.Upstream ? 76 : 36, _proxy.StripeTagSize);
        var held = new HeldRecord();
        var ordinals = new Dictionary<byte, long>();
        byte[] buffer = new byte[64 * 1024];
        long index = 0;
        try
        {
            while (true)
            {
                int n = await ReceiveAsync(from, to, buffer, held);
                if (n == 0)
                {
                    if (held.Record is { } last)
                    {
                        held.Record = null;
                        _proxy.Record($"#{_index} {held.Info}: the stream ended before a later record; forwarded late, alone");
                        await SendAsync(to, last, direction);
                    }

                    await SendAsync(to, splitter.TakeRest(), direction); // passes the gate, so a held end of stream waits too
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                splitter.Append(buffer.AsSpan(0, n));
                while (splitter.TryTake() is { } record)
                {
                    var (type, flags, position) = RecordSplitter.Describe(framing, index == 0, record);
                    long ordinal = ordinals[type] = ordinals.GetValueOrDefault(type) + 1;
                    var info = new ProxyRecord(_index, direction, index, type, flags, ordinal, record.Length, position);
                    await HandleAsync(info, record, to, held);
                    index++;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            if (!_cut)
            {
                Reset(to); // pass an abortive close on
            }
        }
    }

    private async Task<int> ReceiveAsync(Socket from, Socket to, byte[] buffer, HeldRecord held)
    {
        var receive = from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask();
        if (held.Record is { } record && await Task.WhenAny(receive, Task.Delay(_proxy.ReorderWindow)) != receive)
        {
            held.Record = null;
            _proxy.Record($"#{_index} {held.Info}: no later record within {_proxy.ReorderWindow.TotalMilliseconds:0} ms; forwarded late, alone");
            await SendAsync(to, record, held.Info.Direction);
        }

        return await receive;
    }

    private sealed class HeldRecord
    {
        public byte[]? Record { get; set; }

        public ProxyRecord Info { get; set; }
    }

    /// <summary>One direction's way through: open, bytes pass; closed, they wait until it opens again.</summary>
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

        public Task PassAsync() => _open.Task;

        private static TaskCompletionSource Opened()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }
    }
}
