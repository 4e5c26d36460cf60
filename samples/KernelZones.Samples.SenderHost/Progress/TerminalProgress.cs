using System.Diagnostics;
using System.Globalization;
using KernelZones.Migration.Engine;

namespace KernelZones.Samples.SenderHost.Progress;

/// <summary>
/// For a terminal: each step message once, and during pre-copy a bar redrawn in place four times a second with the
/// bytes sent, the estimated bytes left (the last round's dirty set, or all memory before round 0 ends), the
/// throughput and the ETA, drawn at once when pre-copy starts. Other lines are printed above the bar.
/// </summary>
internal sealed class TerminalProgress : IMigrationOutput
{
    private const int BarWidth = 30;
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private readonly SentBytes _sent;
    private readonly Timer _timer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private MigrationStep? _step;
    private long _remainingAtRound;
    private long _sentAtRound;
    private int _round;
    private long _lastBytes;
    private TimeSpan _lastTime;
    private double _rate;
    private int _barLength;
    private bool _disposed;

    public TerminalProgress(SentBytes sent, long memoryBytes)
    {
        _sent = sent;
        _remainingAtRound = memoryBytes;
        _timer = new Timer(_ => Tick(), null, s_tick, s_tick);
    }

    public void Report(MigrationProgress value)
    {
        lock (_gate)
        {
            if (value.Step != _step)
            {
                Clear();
                Console.WriteLine(value.Message);
                _step = value.Step;
                Draw();
            }

            if (value.Round is { } round)
            {
                _remainingAtRound = value.BytesRemaining;
                _sentAtRound = _sent.Total;
                _round = round.Round + 1;
            }
        }
    }

    public void WriteLine(string line)
    {
        lock (_gate)
        {
            Clear();
            Console.WriteLine(line);
            Draw();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            // A tick already queued must not draw the bar again over what follows.
            _disposed = true;
            Clear();
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            long sent = _sent.Total;
            TimeSpan now = _clock.Elapsed;
            double instant = (sent - _lastBytes) / Math.Max(1e-3, (now - _lastTime).TotalSeconds);
            _rate = _rate == 0 ? instant : (0.7 * _rate) + (0.3 * instant);
            (_lastBytes, _lastTime) = (sent, now);
            Draw();
        }
    }

    /// <summary>Draws the bar over the current line, during pre-copy only; the caller holds the lock.</summary>
    private void Draw()
    {
        if (_disposed || _step != MigrationStep.Starting)
        {
            return;
        }

        long sent = _sent.Total;
        long remaining = Math.Max(0, _remainingAtRound - (sent - _sentAtRound));
        double fraction = sent + remaining == 0 ? 0 : (double)sent / (sent + remaining);
        int filled = (int)Math.Round(fraction * BarWidth);
        string eta = _rate < 1 ? "--:--" : TimeSpan.FromSeconds(remaining / _rate).ToString(@"m\:ss", CultureInfo.InvariantCulture);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', BarWidth - filled)}] {fraction * 100,3:0}%  {sent / 1e6,8:0.0} MB sent  {_rate / 1e6,7:0.0} MB/s  ETA {eta}  round {_round}");
        Console.Write("\r" + line.PadRight(_barLength));
        _barLength = line.Length;
    }

    private void Clear()
    {
        if (_barLength > 0)
        {
            Console.Write("\r" + new string(' ', _barLength) + "\r");
            _barLength = 0;
        }
    }
}
