using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace KernelZones.Samples.ReceiverHost;

/// <summary>
/// Listens to every <c>KernelZones.*</c> meter in this process and prints each instrument's totals (per tag set):
/// counters summed, histograms as count/sum/max, gauges as their last value. Prints periodically and on dispose.
/// </summary>
internal sealed class MeterReport : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, Aggregate> _series = new(StringComparer.Ordinal);
    private readonly TextWriter _output;
    private readonly Timer? _timer;

    /// <param name="interval">How often to print; <see cref="TimeSpan.Zero"/> prints only on dispose.</param>
    /// <param name="output">Where to print.</param>
    public MeterReport(TimeSpan interval, TextWriter output)
    {
        _output = output;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("KernelZones.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
        if (interval > TimeSpan.Zero)
        {
            _timer = new Timer(_ => Print(), null, interval, interval);
        }
    }

    public void Print()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (KeyValuePair<string, Aggregate> series in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            text.Append("metrics: ").Append(series.Key).Append(' ').Append(series.Value.Render()).Append('\n');
        }

        _output.Write(text.Length > 0 ? text.ToString() : "metrics: no measurements yet\n");
    }

    public void Dispose()
    {
        _timer?.Dispose();
        Print();
        _listener.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = new StringBuilder(instrument.Name);
        if (tags.Length > 0)
        {
            key.Append('{');
            foreach (KeyValuePair<string, object?> tag in tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                key.Append(key[^1] == '{' ? "" : ",").Append(tag.Key).Append('=').Append(Convert.ToString(tag.Value, CultureInfo.InvariantCulture));
            }

            key.Append('}');
        }

        Aggregate aggregate = _series.GetOrAdd(key.ToString(), _ => new Aggregate(instrument));
        aggregate.Add(value);
    }

    /// <summary>One instrument and tag set: what has been measured so far.</summary>
    private sealed class Aggregate(Instrument instrument)
    {
        private readonly Lock _gate = new();
        private double _sum;
        private double _last;
        private double _max = double.MinValue;
        private long _count;

        public void Add(double value)
        {
            lock (_gate)
            {
                _sum += value;
                _last = value;
                _max = Math.Max(_max, value);
                _count++;
            }
        }

        public string Render()
        {
            lock (_gate)
            {
                string unit = instrument.Unit is { Length: > 0 } u ? " " + u : "";
                // Observable instruments report their current value (a total already), gauges their latest.
                return instrument switch
                {
                    Histogram<long> or Histogram<int> or Histogram<double> =>
                        string.Create(CultureInfo.InvariantCulture, $"count={_count} sum={_sum:0.###}{unit} max={_max:0.###}{unit}"),
                    { IsObservable: true } or Gauge<long> or Gauge<int> or Gauge<double> =>
                        string.Create(CultureInfo.InvariantCulture, $"{_last:0.###}{unit}"),
                    _ => string.Create(CultureInfo.InvariantCulture, $"{_sum:0.###}{unit}"),
                };
            }
        }
    }
}
