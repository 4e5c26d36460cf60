using System.Diagnostics.Metrics;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Striping;
using KernelZones.Migration.Transport.Tests.Infrastructure;

namespace KernelZones.Migration.Transport.Tests.Striping;

/// <summary>
/// The stripes' memory: records of any size are received whole into the receive buffer and opened in place, the
/// record counters count every record once, and in the steady state neither stripe thread allocates anything.
/// Runs alone, because the meter is process-wide and other tests' stripes would add to its counts.
/// </summary>
[Collection(nameof(StripeMemoryTests))]
[CollectionDefinition(nameof(StripeMemoryTests), DisableParallelization = true)]
public sealed class StripeMemoryTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [MemberData(nameof(Ciphers))]
    public async Task Records_of_mixed_sizes_arrive_intact_and_are_opened_in_place(string cipher)
    {
        var options = new StripeOptions { Records = new RecordOptions { MaxPayloadLength = 64 * 1024 } };
        var records = MixedRecords(seed: 7, totalBytes: 48 << 20, maxPayload: options.Records.MaxPayloadLength);
        byte[] source = new byte[records[^1].Position + records[^1].Length];
        new Random(11).NextBytes(source);
        byte[] destination = new byte[source.Length];
        await using var pair = await LoopbackPair.ConnectAsync(cipher, 2, new MemorySink(destination), options: options);

        using var counts = new RecordCounts();
        await Task.WhenAll(pair.Source.Stripes.Select(s => s.SendAsync(new ListBatch(source, records.Where((_, i) => i % 2 == s.Index))))).WaitAsync(s_timeout);
        await Task.WhenAll(pair.Source.CompleteAsync(), pair.Destination.CompleteAsync()).WaitAsync(s_timeout);

        Assert.True(source.AsSpan().SequenceEqual(destination), "the destination's copy differs from the source");
        foreach (var stripe in pair.Source.Stripes.Concat(pair.Destination.Stripes))
        {
            Assert.True(stripe.OpenedEveryRecordInPlace, $"stripe {stripe.Index} copied a record before opening it");
        }

        // Every data record plus one end-of-stream record per stripe and direction, sealed once and opened once.
        long expected = records.Count + 2 * 2;
        Assert.Equal(expected, counts.Sent);
        Assert.Equal(expected, counts.Received);
    }

    [Theory]
    [MemberData(nameof(Ciphers))]
    public async Task The_stripe_threads_allocate_nothing_in_the_steady_state(string cipher)
    {
        // Each side samples its own thread's allocation counter from inside the stripe's loop: the batch on the sending
        // thread (GetPayload), the sink on the receiving thread (OnDataReceived), at record 64 and at record 192.
        const int RecordSize = 256 * 1024;
        const int First = 64;
        const int Last = 192;
        byte[] source = new byte[(Last + 8) * RecordSize];
        new Random(13).NextBytes(source);
        var sink = new AllocationSink(new byte[source.Length], First, Last);
        await using var pair = await LoopbackPair.ConnectAsync(cipher, 1, sink);
        var batch = new AllocationBatch(source, RecordSize, First, Last);

        await pair.Source.Stripes[0].SendAsync(batch).WaitAsync(s_timeout);
        await Task.WhenAll(pair.Source.CompleteAsync(), pair.Destination.CompleteAsync()).WaitAsync(s_timeout);

        Assert.Equal(0, batch.Allocated);
        Assert.Equal(0, sink.Allocated);
    }

    public static TheoryData<string> Ciphers() => new(CipherSuite.Supported);

    /// <summary>Records of sizes from 1 byte to the maximum, biased to the edges, laid end to end.</summary>
    private static List<(long Position, int Length)> MixedRecords(int seed, long totalBytes, int maxPayload)
    {
        var random = new Random(seed);
        var records = new List<(long, int)>();
        long position = 0;
        while (position < totalBytes)
        {
            int length = random.Next(4) switch
            {
                0 => maxPayload,
                1 => maxPayload - random.Next(1, 64),
                2 => random.Next(1, 100),
                _ => random.Next(1, maxPayload),
            };
            records.Add((position, length));
            position += length;
        }

        return records;
    }

    private sealed class ListBatch(byte[] source, IEnumerable<(long Position, int Length)> records) : IRecordBatch
    {
        private readonly IEnumerator<(long Position, int Length)> _next = records.GetEnumerator();

        public bool TryGetNext(out OutgoingRecord record)
        {
            bool more = _next.MoveNext();
            record = more ? new OutgoingRecord(RecordType.Data, _next.Current.Position, _next.Current.Length) : default;
            return more;
        }

        public ReadOnlySpan<byte> GetPayload(in OutgoingRecord record) => source.AsSpan((int)record.Label, record.Length);
    }

    /// <summary>Records of one size laid end to end; notes its thread's allocated bytes when asked for the first and the last sampled payload.</summary>
    private sealed class AllocationBatch(byte[] source, int recordSize, int first, int last) : IRecordBatch
    {
        private long _next;
        private int _index;
        private long _atFirst = -1;

        public long Allocated { get; private set; } = -1;

        public bool TryGetNext(out OutgoingRecord record)
        {
            record = new OutgoingRecord(RecordType.Data, _next, recordSize);
            _next += recordSize;
            return record.Label + recordSize <= source.Length;
        }

        public ReadOnlySpan<byte> GetPayload(in OutgoingRecord record)
        {
            Allocated = Sample(ref _atFirst, _index++, first, last) ?? Allocated;
            return source.AsSpan((int)record.Label, record.Length);
        }
    }

    /// <summary>A <see cref="MemorySink"/> that notes its thread's allocated bytes when the first and the last sampled record arrive.</summary>
    private sealed class AllocationSink(byte[] destination, int first, int last) : IRecordSink
    {
        private readonly MemorySink _inner = new(destination);
        private int _index;
        private long _atFirst = -1;

        public long Allocated { get; private set; } = -1;

        public Span<byte> GetDataDestination(int stripeIndex, in RecordHeader header) => _inner.GetDataDestination(stripeIndex, header);

        public void OnDataReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload) =>
            Allocated = Sample(ref _atFirst, _index++, first, last) ?? Allocated;

        public void OnControlReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload) => _inner.OnControlReceived(stripeIndex, header, payload);
    }

    /// <summary>Notes this thread's allocated bytes at the first sampled record; at the last, returns how many were allocated since.</summary>
    private static long? Sample(ref long atFirst, int index, int first, int last)
    {
        if (index == first)
        {
            atFirst = GC.GetAllocatedBytesForCurrentThread();
        }

        return index == last ? GC.GetAllocatedBytesForCurrentThread() - atFirst : null;
    }

    private sealed class RecordCounts : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _sent;
        private long _received;

        public RecordCounts()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == TransportMetrics.MeterName && instrument.Name == "kz.transport.records")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "direction")
                    {
                        Interlocked.Add(ref (string)tag.Value! == "send" ? ref _sent : ref _received, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Sent => Interlocked.Read(ref _sent);

        public long Received => Interlocked.Read(ref _received);

        public void Dispose() => _listener.Dispose();
    }
}
