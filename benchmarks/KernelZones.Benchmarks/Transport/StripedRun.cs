using System.Net;
using System.Security.Cryptography;
using KernelZones.Benchmarks.Measurement;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Benchmarks.Transport;

/// <summary>Our side of the transport benchmark: the striped transfer through its public API over loopback.</summary>
internal static class StripedRun
{
    public static async Task<RunResult> RunAsync(string cipher, int stripes, long totalBytes, int recordSize, RingMemory source, RingMemory destination)
    {
        var options = new StripeOptions
        {
            Records = new RecordOptions { MaxPayloadLength = Math.Max(recordSize, RecordOptions.DefaultMaxPayloadLength) },
        };
        await using var listener = StripeListener.Start(new IPEndPoint(IPAddress.Loopback, 0), options);
        using var descriptor = new TransferDescriptor(Guid.NewGuid(), RandomNumberGenerator.GetBytes(32), cipher, stripes);
        long perStripe = totalBytes / stripes / recordSize * recordSize;
        var steadyState = new SteadyStateAllocation(perStripe * stripes);
        await using var receiving = listener.Expect(descriptor, new RingSink(destination, steadyState));
        await using var sending = await StripeConnector.ConnectAsync(listener.LocalEndPoint, descriptor, new RingSink(destination, null), options);
        await receiving.WaitForStripesAsync();

        var meter = new RunMeter();
        await Task.WhenAll(sending.Stripes.Select(s => s.SendAsync(new RingBatch(source, s.Index * perStripe, perStripe, recordSize))));
        await Task.WhenAll(sending.CompleteAsync(), receiving.CompleteAsync());
        return meter.Stop(perStripe * stripes) with { SteadyStateBytesPerGiB = steadyState.BytesPerGiB };
    }

    private sealed class RingBatch(RingMemory source, long start, long length, int recordSize) : IRecordBatch
    {
        private readonly long _end = start + length;
        private long _next = start;

        public bool TryGetNext(out OutgoingRecord record)
        {
            record = new OutgoingRecord(RecordType.Data, _next, recordSize);
            _next += recordSize;
            return record.Label < _end;
        }

        public ReadOnlySpan<byte> GetPayload(in OutgoingRecord record) => source.At(record.Label, record.Length);
    }

    private sealed class RingSink(RingMemory destination, SteadyStateAllocation? steadyState) : IRecordSink
    {
        public Span<byte> GetDataDestination(int stripeIndex, in RecordHeader header) => destination.At(header.Label, header.PayloadLength);

        public void OnDataReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload) => steadyState?.Add(payload.Length);

        public void OnControlReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload)
        {
        }
    }
}
