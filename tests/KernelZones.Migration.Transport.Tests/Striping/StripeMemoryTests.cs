using System.Diagnostics.Metrics;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Striping;
using KernelZones.Migration.Transport.Tests.Infrastructure;

namespace KernelZones.Migration.Transport.Tests.Striping;

/// <summary>
/// The stripes' memory: records of any size are received whole into one block and opened in place, the block
/// pools stay within the bound StripeOptions documents, and the record counters count every record once.
/// Runs alone, because the meter is process-wide and other tests' stripes would add to its counts.
/// </summary>
[Collection(nameof(StripeMemoryTests))]
[CollectionDefinition(nameof(StripeMemoryTests), DisableParallelization = true)]
public sealed class StripeMemoryTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [MemberData(nameof(Ciphers))]
    public async Task Records_of_mixed_sizes_arrive_intact_and_the_block_pools_stay_bounded(string cipher)
    {
        var options = new StripeOptions { Records = new RecordOptions { MaxPayloadLength = 64 * 1024 }, PipeThresholdRecords = 2 };
        var records = MixedRecords(seed: 7, totalBytes: 48 << 20, maxPayload: options.Records.MaxPayloadLength);
        byte[] source = new byte[records[^1].Position + records[^1].Length];
        new Random(11).NextBytes(source);
        byte[] destination = new byte[source.Length];
        await using var pair = await LoopbackPair.ConnectAsync(cipher, 2, new MemorySink(destination), options: options);

        using var counts = new RecordCounts();
        await Task.WhenAll(pair.Source.Stripes.Select(s => s.SendAsync(new ListBatch(source, records.Where((_, i) => i % 2 == s.Index))))).WaitAsync(s_timeout);
        await Task.WhenAll(pair.Source.CompleteAsync(), pair.Destination.CompleteAsync()).WaitAsync(s_timeout);

        Assert.True(source.AsSpan().SequenceEqual(destination), "the destination's copy differs from the source");
        int bound = 2 * 2 * (options.PipeThresholdRecords + 1); // two pipes per stripe, each at most 2 × (threshold + 1) blocks
        foreach (var stripe in pair.Source.Stripes.Concat(pair.Destination.Stripes))
        {
            Assert.InRange(stripe.BlocksAllocated, 1, bound);
            Assert.True(stripe.OpenedEveryRecordInPlace, $"stripe {stripe.Index} copied a record that straddled two blocks");
        }

        // Every data record plus one end-of-stream record per stripe and direction, sealed once and opened once.
        long expected = records.Count + 2 * 2;
        Assert.Equal(expected, counts.Sent);
        Assert.Equal(expected, counts.Received);
    }

    [Fact]
    public void A_block_is_reused_after_it_is_returned_and_larger_requests_are_refused()
    {
        using var pool = new RecordBlockPool(1000);
        var first = pool.Rent(10);
        var memory = first.Memory;
        first.Dispose();
        first.Dispose(); // a second return must not put the block in the pool twice
        var again = pool.Rent(1000);
        var other = pool.Rent(1);

        Assert.Equal(1000, memory.Length);
        Assert.True(again.Memory.Span == memory.Span, "a returned block should be handed out again");
        Assert.False(other.Memory.Span == memory.Span, "a block returned twice was handed out twice");
        Assert.Equal(2, pool.BlocksAllocated);
        Assert.Throws<ArgumentException>(() => pool.Rent(1001));
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

        public ReadOnlySpan<byte> GetPayload(in OutgoingRecord record) => source.AsSpan((int)record.Position, record.Length);
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
