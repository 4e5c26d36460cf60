using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Precopy;
using KernelZones.Migration.Simulation;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Tests.Precopy;

/// <summary>
/// The source's batches and the destination's sink without a transport: every record a stripe's batch yields is
/// delivered to the sink in that stripe's order, as the stripe would.
/// </summary>
public sealed class RoundBatchTests
{
    private const int PageSize = 512;

    /// <param name="PageCount">Guest pages.</param>
    /// <param name="Stripes">Stripe count.</param>
    /// <param name="RecordBytes">The transport's largest payload.</param>
    /// <param name="Seed">Seeds the contents (random, zero, or zeroed later) and the dirty set of the second round.</param>
    /// <param name="Density">Share of pages dirtied for the second round.</param>
    public sealed record Case(int PageCount, int Stripes, int RecordBytes, int Seed, double Density);

    [Property(Arbitrary = [typeof(RoundBatchTests)], MaxTest = 150)]
    public void Every_dirty_page_is_sent_exactly_once_per_round_on_its_own_stripe(Case c)
    {
        using var source = new InMemoryGuestMemory((long)c.PageCount * PageSize, PageSize);
        using var destination = new InMemoryGuestMemory((long)c.PageCount * PageSize, PageSize);
        var random = new Random(c.Seed);
        Fill(source, random);
        var affinity = new PageAffinity(PageSize, c.RecordBytes, c.Stripes);
        var digest = new PageDigest(c.PageCount, PageSize);
        var sink = new GuestMemorySink(destination, c.Stripes);

        var all = new DirtyPageBitmap(c.PageCount);
        all.SetRange(0, c.PageCount);
        SendRound(source, all, affinity, digest, sink);

        // The guest changes some pages (some to zero), and the second round sends a set that holds them and others.
        var dirty = new DirtyPageBitmap(c.PageCount);
        for (int page = 0; page < c.PageCount; page++)
        {
            if (random.NextDouble() < c.Density)
            {
                dirty.Set(page);
                if (random.Next(3) == 0)
                {
                    Change(source, page, random);
                }
            }
        }

        SendRound(source, dirty, affinity, digest, sink);

        UInt128 expected = PageDigest.Compute(source);
        Assert.Equal(expected, digest.Value);
        Assert.Equal(expected, sink.Digest);
        Assert.Equal(c.PageCount, sink.ArrivedPages);
        Assert.True(source.GetPages(0, c.PageCount).SequenceEqual(destination.GetPages(0, c.PageCount)));
    }

    [Fact]
    public void The_digest_built_record_by_record_equals_the_digest_of_the_memory()
    {
        using var memory = new InMemoryGuestMemory(1000L * PageSize, PageSize);
        // Data, a zero run with one data page in it, data, a zero tail.
        memory.FillRandom(0, 300L * PageSize, seed: 3);
        memory.Fill(350L * PageSize + 100, 1, 9);
        memory.FillRandom(700L * PageSize, 250L * PageSize, seed: 4);
        var affinity = new PageAffinity(PageSize, 64 * PageSize, stripeCount: 3);
        var digest = new PageDigest(memory.PageCount, PageSize);
        var all = new DirtyPageBitmap(memory.PageCount);
        all.SetRange(0, memory.PageCount);

        var records = Enumerable.Range(0, 3).SelectMany(s => Drain(new RoundBatch(memory, all, affinity, s, digest))).ToList();

        Assert.Equal(PageDigest.Compute(memory), digest.Value);
        Assert.Contains(records, r => r.Record.Type == RecordType.Data && r.Record.Label == 350L * PageSize && r.Record.Length == PageSize);
        Assert.Equal(1000 - 300 - 250 - 1, records.Where(r => r.Record.Type == RecordType.Control).Sum(r => r.ZeroPages));
    }

    [Fact]
    public void A_stripe_visits_only_its_own_chunks()
    {
        // 10 chunks of 64 pages over 3 stripes: stripe 1 owns chunks 1, 4 and 7.
        using var memory = new InMemoryGuestMemory(640L * PageSize, PageSize);
        memory.FillRandom(0, memory.Size, seed: 5);
        var affinity = new PageAffinity(PageSize, 64 * PageSize, stripeCount: 3);
        var digest = new PageDigest(memory.PageCount, PageSize);
        var all = new DirtyPageBitmap(memory.PageCount);
        all.SetRange(0, memory.PageCount);
        var onlyChunkZero = new DirtyPageBitmap(memory.PageCount);
        onlyChunkZero.SetRange(0, 64);

        var full = new RoundBatch(memory, all, affinity, stripe: 1, digest);
        var pages = Drain(full).SelectMany(r => Enumerable.Range((int)(r.Record.Label / PageSize), r.Record.Length / PageSize)).ToList();
        var empty = new RoundBatch(memory, onlyChunkZero, affinity, stripe: 1, digest);

        int[] ownChunks = [.. Enumerable.Range(64, 64), .. Enumerable.Range(256, 64), .. Enumerable.Range(448, 64)];
        Assert.Equal(3, full.ChunksVisited);
        Assert.Equal(ownChunks, pages);
        Assert.False(empty.TryGetNext(out _));
        Assert.Equal(3, empty.ChunksVisited);
    }

    [Fact]
    public void UpdateLeadingRun_stops_at_the_first_page_of_the_other_kind()
    {
        byte[] pages = new byte[5 * PageSize];
        Random.Shared.NextBytes(pages.AsSpan(2 * PageSize, 2 * PageSize)); // zero, zero, data, data, zero
        var digest = new PageDigest(10, PageSize);

        Assert.Equal(2, digest.UpdateLeadingRun(3, pages, out bool zero));
        Assert.True(zero);
        Assert.Equal(2, digest.UpdateLeadingRun(5, pages.AsSpan(2 * PageSize), out zero));
        Assert.False(zero);
        Assert.Equal(1, digest.UpdateLeadingRun(7, pages.AsSpan(4 * PageSize), out zero));
        Assert.True(zero);

        var expected = new PageDigest(10, PageSize);
        expected.UpdatePages(3, pages);
        Assert.Equal(expected.Value, digest.Value);
        Assert.Throws<ArgumentOutOfRangeException>(() => digest.UpdateLeadingRun(0, [], out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => digest.UpdateLeadingRun(9, pages.AsSpan(0, 2 * PageSize), out _));
    }

    public static Arbitrary<Case> Cases()
    {
        Gen<Case> gen =
            from pageCount in Gen.Frequency((3, Gen.Choose(1, 400)), (1, Gen.Choose(400, 3000)))
            from stripes in Gen.Choose(1, 8)
            from recordPages in Gen.Elements(1, 3, 63, 64, 65, 100, 128)
            from seed in Gen.Choose(0, int.MaxValue)
            from density in Gen.Elements(0.0, 0.02, 0.3, 0.9, 1.0)
            select new Case(pageCount, stripes, recordPages * PageSize, seed, density);
        return Arb.From(gen);
    }

    /// <summary>Sends one round over every stripe and checks what each stripe's batch yielded against the set.</summary>
    private static void SendRound(IGuestMemory memory, DirtyPageBitmap set, PageAffinity affinity, PageDigest digest, GuestMemorySink sink)
    {
        var sent = new int[memory.PageCount];
        for (int stripe = 0; stripe < affinity.StripeCount; stripe++)
        {
            var batch = new RoundBatch(memory, set, affinity, stripe, digest);
            foreach (var (record, payload, zeroPages) in Drain(batch))
            {
                long first = record.Label / PageSize;
                int count = record.Type == RecordType.Data ? record.Length / PageSize : zeroPages;
                Assert.InRange(count, 1, affinity.RecordPages);
                Assert.Equal(affinity.ChunkEnd(first), affinity.ChunkEnd(first + count - 1)); // inside one chunk
                for (long page = first; page < first + count; page++)
                {
                    Assert.True(set.IsSet(page), $"page {page} is not in the set");
                    Assert.Equal(stripe, affinity.StripeOf(page));
                    Assert.Equal(record.Type == RecordType.Control, PageScan.IsZero(memory.GetPages(page, 1)));
                    sent[page]++;
                }

                Deliver(sink, stripe, record, payload);
            }

            Assert.True(batch.ChunksVisited <= (affinity.ChunkCount(memory.PageCount) + affinity.StripeCount - 1) / affinity.StripeCount);
        }

        for (int page = 0; page < sent.Length; page++)
        {
            Assert.True(sent[page] == (set.IsSet(page) ? 1 : 0), $"page {page} was sent {sent[page]} times");
        }
    }

    private static List<(OutgoingRecord Record, byte[] Payload, int ZeroPages)> Drain(RoundBatch batch)
    {
        var records = new List<(OutgoingRecord, byte[], int)>();
        while (batch.TryGetNext(out OutgoingRecord record))
        {
            byte[] payload = batch.GetPayload(record).ToArray();
            records.Add((record, payload, record.Type == RecordType.Control ? System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(payload) : 0));
        }

        return records;
    }

    private static void Deliver(GuestMemorySink sink, int stripe, in OutgoingRecord record, byte[] payload)
    {
        var header = new RecordHeader(record.Type, record.Flags, record.Length, 0, record.Label);
        if (record.Type == RecordType.Control)
        {
            sink.OnControlReceived(stripe, header, payload);
            return;
        }

        Span<byte> destination = sink.GetDataDestination(stripe, header);
        payload.CopyTo(destination);
        sink.OnDataReceived(stripe, header, destination);
    }

    // Per page: random, zero, or random with its first bytes zero (so that a zero test must look past them).
    private static void Fill(InMemoryGuestMemory memory, Random random)
    {
        for (int page = 0; page < memory.PageCount; page++)
        {
            Change(memory, page, random);
        }
    }

    private static void Change(InMemoryGuestMemory memory, int page, Random random)
    {
        byte[] contents = new byte[PageSize];
        switch (random.Next(3))
        {
            case 0:
                random.NextBytes(contents);
                break;
            case 1:
                contents[random.Next(PageSize)] = (byte)(1 + random.Next(255));
                break;
        }

        memory.Write((long)page * PageSize, contents);
    }
}
