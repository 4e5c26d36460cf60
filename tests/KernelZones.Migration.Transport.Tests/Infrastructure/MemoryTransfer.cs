using System.Net;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Transport.Tests.Infrastructure;

/// <summary>Sends a region of memory in records over stripes by address affinity (record i goes to stripe i mod n).</summary>
internal sealed class MemoryBatch(byte[] source, int recordSize, int stripe, int stripeCount) : IRecordBatch
{
    private long _next = (long)stripe * recordSize;

    public bool TryGetNext(out OutgoingRecord record)
    {
        if (_next >= source.Length)
        {
            record = default;
            return false;
        }

        int length = (int)Math.Min(recordSize, source.Length - _next);
        record = new OutgoingRecord(RecordType.Data, _next, length);
        _next += (long)recordSize * stripeCount;
        return true;
    }

    public ReadOnlySpan<byte> GetPayload(in OutgoingRecord record) => source.AsSpan((int)record.Label, record.Length);
}

/// <summary>Opens data records into a byte array at their position; collects control records.</summary>
internal sealed class MemorySink(byte[] destination) : IRecordSink
{
    private long _dataRecords;

    public long DataRecords => Interlocked.Read(ref _dataRecords);

    public System.Collections.Concurrent.ConcurrentQueue<(int Stripe, long Position, byte[] Payload)> Control { get; } = new();

    public TaskCompletionSource FirstData { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Span<byte> GetDataDestination(int stripeIndex, in RecordHeader header)
    {
        if (header.Label < 0 || header.Label + header.PayloadLength > destination.Length)
        {
            throw new InvalidOperationException($"Record at {header.Label} is outside the destination.");
        }

        return destination.AsSpan((int)header.Label, header.PayloadLength);
    }

    public void OnDataReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload)
    {
        Interlocked.Increment(ref _dataRecords);
        FirstData.TrySetResult();
    }

    public void OnControlReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload) =>
        Control.Enqueue((stripeIndex, header.Label, payload.ToArray()));
}

/// <summary>A listener and a connected transfer pair on 127.0.0.1.</summary>
internal sealed class LoopbackPair : IAsyncDisposable
{
    private LoopbackPair(StripeListener listener, StripedTransfer source, StripedTransfer destination, TransferDescriptor descriptor)
    {
        Listener = listener;
        Source = source;
        Destination = destination;
        Descriptor = descriptor;
    }

    public StripeListener Listener { get; }

    public StripedTransfer Source { get; }

    public StripedTransfer Destination { get; }

    public TransferDescriptor Descriptor { get; }

    public static TransferDescriptor NewDescriptor(string cipher, int stripes) =>
        new(Guid.NewGuid(), System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), cipher, stripes);

    public static async Task<LoopbackPair> ConnectAsync(
        string cipher, int stripes, IRecordSink destinationSink, IRecordSink? sourceSink = null, StripeOptions? options = null, Func<IPEndPoint, IPEndPoint>? route = null)
    {
        options ??= new StripeOptions();
        var listener = StripeListener.Start(new IPEndPoint(IPAddress.Loopback, 0), options);
        var descriptor = NewDescriptor(cipher, stripes);
        var destination = listener.Expect(descriptor, destinationSink);
        var endpoint = route?.Invoke(listener.LocalEndPoint) ?? listener.LocalEndPoint;
        var source = await StripeConnector.ConnectAsync(endpoint, descriptor, sourceSink ?? new MemorySink([]), options).WaitAsync(TimeSpan.FromSeconds(30));
        await destination.WaitForStripesAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new LoopbackPair(listener, source, destination, descriptor);
    }

    public static IEnumerable<string> Ciphers => CipherSuite.Supported;

    public async Task SendAllAsync(byte[] source, int recordSize)
    {
        var stripes = Source.Stripes;
        await Task.WhenAll(stripes.Select(s => s.SendAsync(new MemoryBatch(source, recordSize, s.Index, stripes.Count))));
    }

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        await Destination.DisposeAsync();
        await Listener.DisposeAsync();
        Descriptor.Dispose();
    }
}
