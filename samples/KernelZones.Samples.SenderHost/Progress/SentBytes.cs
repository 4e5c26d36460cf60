using System.Diagnostics.Metrics;

namespace KernelZones.Samples.SenderHost.Progress;

/// <summary>Bytes the data connections have sent so far, live, from the transport's <c>kz.transport.bytes</c> counter.</summary>
internal sealed class SentBytes : IDisposable
{
    private const string TransportMeter = "KernelZones.Migration.Transport";
    private const string BytesInstrument = "kz.transport.bytes";

    private readonly MeterListener _listener = new();
    private long _total;

    public SentBytes()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TransportMeter && instrument.Name == BytesInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, bytes, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag is { Key: "direction", Value: "send" })
                {
                    Interlocked.Add(ref _total, bytes);
                }
            }
        });
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
