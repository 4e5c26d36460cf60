using System.Net;
using KernelZones.Migration.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KernelZones.Migration.Control.Internal;

/// <summary>
/// Counts the connections the control service turned away (<see cref="ConnectionAdmission.Rejection"/>): each one in
/// the <c>kz.control.connections.rejected</c> counter, and in the log as one summary line per interval (counts per
/// reason and the address turned away most), never a line per connection: a flood would otherwise become a log flood.
/// Thread-safe.
/// </summary>
internal sealed class RejectionSummary : IDisposable
{
    /// <summary>The default time between two summary lines: 10 s.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    // Enough distinct addresses to name the top one under any real flood; beyond it, newcomers are counted but not named.
    private const int MaxTrackedAddresses = 1024;

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private readonly int[] _counts = new int[4];
    private readonly Dictionary<IPAddress, int> _byAddress = [];
    private long _windowStart;
    private bool _armed;

    public RejectionSummary(ILogger logger, TimeSpan? interval = null, TimeProvider? time = null)
    {
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _interval = interval ?? DefaultInterval;
        _timer = _time.CreateTimer(static state => ((RejectionSummary)state!).Flush(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Counts one connection from <paramref name="address"/> turned away for <paramref name="reason"/>.</summary>
    public void Record(ConnectionAdmission.Rejection reason, IPAddress address)
    {
        MigrationMetrics.ConnectionRejected(Tag(reason));
        lock (_gate)
        {
            _counts[(int)reason]++;
            if (_byAddress.Count < MaxTrackedAddresses || _byAddress.ContainsKey(address))
            {
                _byAddress[address] = _byAddress.GetValueOrDefault(address) + 1;
            }

            if (!_armed)
            {
                // The first rejection after a quiet spell opens a window; its summary is written when the window closes.
                _armed = true;
                _windowStart = _time.GetTimestamp();
                _timer.Change(_interval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Writes what is still counted and stops the timer.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        Flush();
    }

    /// <summary>The metric tag of a reason: <c>address_limit</c>, <c>prefix_limit</c>, <c>full</c> or <c>shed</c>.</summary>
    public static string Tag(ConnectionAdmission.Rejection reason) => reason switch
    {
        ConnectionAdmission.Rejection.AddressLimit => "address_limit",
        ConnectionAdmission.Rejection.PrefixLimit => "prefix_limit",
        ConnectionAdmission.Rejection.Full => "full",
        _ => "shed",
    };

    private void Flush()
    {
        int[] counts;
        KeyValuePair<IPAddress, int> top;
        TimeSpan window;
        lock (_gate)
        {
            if (!_armed)
            {
                return;
            }

            counts = [.. _counts];
            top = _byAddress.MaxBy(static pair => pair.Value);
            window = _time.GetElapsedTime(_windowStart);
            Array.Clear(_counts);
            _byAddress.Clear();
            _armed = false;
        }

        MigrationLog.ConnectionsTurnedAway(
            _logger, counts.Sum(), window.TotalSeconds, counts[(int)ConnectionAdmission.Rejection.AddressLimit], counts[(int)ConnectionAdmission.Rejection.PrefixLimit],
            counts[(int)ConnectionAdmission.Rejection.Full], counts[(int)ConnectionAdmission.Rejection.Shed], top.Key, top.Value);
    }
}
