using System.Net.Sockets;

namespace KernelZones.Testing.Faults;

/// <summary>The faults themselves: what happens to a record, or to the whole connection, when a plan fires.</summary>
internal sealed partial class FaultLink
{
    /// <summary>A connection-level fault between records (no record to act on).</summary>
    public void ApplyBetweenRecords(FaultKind kind)
    {
        switch (kind)
        {
            case FaultKind.CutFin or FaultKind.CutRst:
                Cut(kind);
                break;
            case FaultKind.Stall:
                _gates[(int)FlowDirection.Upstream].Close();
                _gates[(int)FlowDirection.Downstream].Close();
                _proxy.Record($"#{_index} stalled between records");
                break;
            case FaultKind.Throttle:
                StartThrottle();
                break;
            default:
                throw new InvalidOperationException($"{kind} acts on a record.");
        }
    }

    /// <summary>Forwards nothing more in <paramref name="direction"/> (what arrives waits) until <see cref="Release"/>; both connections stay open.</summary>
    public void Hold(FlowDirection direction)
    {
        _gates[(int)direction].Close();
        _proxy.Record($"#{_index} {direction} held");
    }

    /// <summary>Forwards again in both directions, what was held first.</summary>
    public void Release()
    {
        _proxy.Record($"#{_index} released");
        Array.ForEach(_gates, g => g.Open());
    }

    private async Task HandleAsync(ProxyRecord info, byte[] record, Socket to, HeldRecord held)
    {
        var plan = _proxy.TakeFiring(info);
        if (plan is { AfterForwarding: true })
        {
            await SendAsync(to, record, info.Direction);
            _proxy.Record($"#{_index} {info} forwarded, then:");
            if (plan.Kind is { } then)
            {
                ApplyBetweenRecords(then);
            }

            plan.OnFired?.Invoke();
            return;
        }

        plan?.OnFired?.Invoke();
        if (plan?.Kind is { } kind)
        {
            await ApplyAsync(kind, info, record, to, held);
            return;
        }

        if (held.Record is { } earlier)
        {
            // Recorded before either record goes on: the peer may fail on the reordered pair, and the case may be
            // judged, before the sends return.
            held.Record = null;
            _proxy.Record($"#{_index} {held.Info} forwarded after {info}");
            await SendAsync(to, record, info.Direction);
            await SendAsync(to, earlier, info.Direction);
            return;
        }

        await SendAsync(to, record, info.Direction);
    }

    private async Task ApplyAsync(FaultKind kind, ProxyRecord info, byte[] record, Socket to, HeldRecord held)
    {
        switch (kind)
        {
            case FaultKind.Delay:
                _proxy.Record($"#{_index} {info} held {_proxy.DelayTime.TotalMilliseconds:0} ms");
                await Task.Delay(_proxy.DelayTime);
                await SendAsync(to, record, info.Direction);
                break;
            case FaultKind.Corrupt:
                int at = RecordSplitter.BodyOffset(_proxy.Framing, info.Index == 0, record.Length, _proxy.StripeTagSize);
                record[at] ^= 0x10;
                _proxy.Record($"#{_index} {info}: byte {at} corrupted");
                await SendAsync(to, record, info.Direction);
                break;
            case FaultKind.Drop:
                _proxy.Record($"#{_index} {info} dropped");
                break;
            case FaultKind.Duplicate:
                _proxy.Record($"#{_index} {info} sent twice");
                await SendAsync(to, record, info.Direction);
                await SendAsync(to, record, info.Direction);
                break;
            case FaultKind.Reorder:
                held.Record = record;
                held.Info = info;
                break;
            default:
                _proxy.Record($"#{_index} {kind} at {info}");
                ApplyBetweenRecords(kind);
                await SendAsync(to, record, info.Direction);
                break;
        }
    }

    private void Cut(FaultKind kind)
    {
        _cut = true;
        _proxy.Record($"#{_index} {(kind == FaultKind.CutRst ? "reset (RST)" : "closed (FIN)")} both ways");
        if (kind == FaultKind.CutRst)
        {
            Reset(_client);
            Reset(_server);
            return;
        }

        foreach (var socket in new[] { _client, _server })
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // already closed by its end
            }
        }
    }

    private void StartThrottle()
    {
        _proxy.Record($"#{_index} throttled to {_proxy.ThrottleBytesPerSecond / (1 << 20):0.#} MiB/s each way");
        _throttleClock.Restart();
        _throttle = true;
    }

    private async Task SendAsync(Socket to, byte[] bytes, FlowDirection direction)
    {
        await _gates[(int)direction].PassAsync();
        if (_cut || bytes.Length == 0)
        {
            return; // after a cut nothing more is delivered; the pumps only drain
        }

        if (_throttle)
        {
            long sent = Interlocked.Add(ref _throttledBytes[(int)direction], bytes.Length);
            var due = TimeSpan.FromSeconds(sent / _proxy.ThrottleBytesPerSecond) - _throttleClock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
        }

        await to.SendAsync(bytes, SocketFlags.None);
    }
}
