using KernelZones.Migration.Guests;

namespace KernelZones.Migration.Tests.Guests;

public sealed class InMemoryGuestMemoryTests
{
    [Fact]
    public void Five_GiB_guest_keeps_a_pattern_beyond_the_4_GiB_boundary()
    {
        const long Size = 5L << 30;
        using var memory = new InMemoryGuestMemory(Size);
        Assert.Equal(Size / 4096, memory.PageCount);
        byte[] pattern = new byte[3 * 4096];
        new Random(7).NextBytes(pattern);
        long offset = (4L << 30) - 4096 - 100; // straddles the 4 GiB boundary
        memory.Write(offset, pattern);
        memory.Write(Size - 16, pattern.AsSpan(0, 16));

        byte[] back = new byte[pattern.Length];
        memory.Read(offset, back);
        Assert.Equal(pattern, back);
        long page = (4L << 30) / 4096;
        Assert.Equal(pattern.AsSpan(4096 + 100, 4096).ToArray(), memory.GetPages(page, 1).ToArray());
        Assert.Equal(pattern.AsSpan(0, 16).ToArray(), memory.GetPages(memory.PageCount - 1, 1)[^16..].ToArray());
        Assert.True(PageScan.IsZero(memory.GetPages(page + 5, 256)));
    }

    [Fact]
    public void Writes_mark_exactly_the_pages_they_touch()
    {
        using var memory = new InMemoryGuestMemory(1 << 20);
        memory.StartDirtyTracking();
        memory.Write(4095, [1, 2]);
        memory.Fill(10 * 4096, 4096, 0xFF);
        memory.FillRandom(100 * 4096 + 1, 2 * 4096, seed: 1);
        var dirty = new DirtyPageBitmap(memory.PageCount);

        long moved = memory.CollectDirtyPages(dirty);

        Assert.Equal(6, moved);
        Assert.Equal([0L, 1, 10, 100, 101, 102], Pages(dirty));
        dirty.Clear();
        Assert.Equal(0, memory.CollectDirtyPages(dirty));
    }

    [Fact]
    public void Writable_pages_are_not_tracked_and_start_discards_earlier_marks()
    {
        using var memory = new InMemoryGuestMemory(1 << 20);
        memory.Write(0, [1]);
        memory.StartDirtyTracking();
        memory.GetWritablePages(5, 2).Fill(3);
        var dirty = new DirtyPageBitmap(memory.PageCount);
        Assert.Equal(0, memory.CollectDirtyPages(dirty));
        Assert.Equal(3, memory.GetPages(6, 1)[4095]);
        memory.StopDirtyTracking();
        Assert.Throws<InvalidOperationException>(() => memory.CollectDirtyPages(dirty));
    }

    [Fact]
    public void Bad_runs_and_sizes_are_rejected()
    {
        using var memory = new InMemoryGuestMemory(64L << 20);
        Assert.Throws<ArgumentOutOfRangeException>(() => memory.GetPages(-1, 1).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => memory.GetPages(0, 0).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => memory.GetPages(0, 1025).Length); // 4 MiB + 1 page
        Assert.Throws<ArgumentOutOfRangeException>(() => memory.GetWritablePages(memory.PageCount - 1, 2).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => memory.Write(memory.Size - 1, [1, 2]));
        Assert.Throws<ArgumentException>(() => memory.CollectDirtyPages(new DirtyPageBitmap(3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryGuestMemory(4096, pageSize: 3000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryGuestMemory(4097));
        memory.Dispose();
        Assert.Throws<ObjectDisposedException>(() => memory.GetPages(0, 1).Length);
    }

    [Fact]
    public void Concurrent_writer_and_collector_never_lose_a_dirty_page()
    {
        // The writer stores a rising sequence number into a page, then marks it. The collector snapshots each page
        // it collects. Every page's final write must be seen by some collection: a lost mark leaves a stale value.
        const int Pages = 512;
        using var memory = new InMemoryGuestMemory(Pages * 4096L);
        memory.StartDirtyTracking();
        long[] lastWritten = new long[Pages];
        long[] lastCollected = new long[Pages];
        using var done = new CancellationTokenSource();
        var writer = new Thread(() =>
        {
            var random = new Random(3);
            for (long sequence = 1; sequence <= 400_000; sequence++)
            {
                int page = random.Next(Pages);
                memory.Write(page * 4096L + (8 * random.Next(512)), BitConverter.GetBytes(sequence));
                lastWritten[page] = sequence;
            }

            done.Cancel();
        });
        writer.Start();
        var dirty = new DirtyPageBitmap(Pages);
        bool finalPass = false;
        long collections = 0;
        while (!finalPass)
        {
            finalPass = done.IsCancellationRequested; // one more collection after the writer ended
            dirty.Clear();
            memory.CollectDirtyPages(dirty);
            collections++;
            foreach (PageRun run in dirty.EnumerateRuns(64))
            {
                for (long page = run.FirstPage; page < run.EndPage; page++)
                {
                    lastCollected[page] = MaxSequence(memory.GetPages(page, 1));
                }
            }
        }

        writer.Join();
        Assert.True(collections > 1);
        for (int page = 0; page < Pages; page++)
        {
            Assert.True(lastWritten[page] == 0 || lastCollected[page] >= lastWritten[page], $"page {page}: wrote {lastWritten[page]}, collected {lastCollected[page]}");
        }
    }

    // Writes are 8-byte aligned and sequence numbers only rise, so a page's largest slot is its newest visible write.
    private static long MaxSequence(ReadOnlySpan<byte> page)
    {
        long max = 0;
        for (int i = 0; i + 8 <= page.Length; i += 8)
        {
            max = Math.Max(max, BitConverter.ToInt64(page[i..]));
        }

        return max;
    }

    private static long[] Pages(DirtyPageBitmap bitmap)
    {
        var pages = new List<long>();
        foreach (PageRun run in bitmap.EnumerateRuns(int.MaxValue))
        {
            for (long page = run.FirstPage; page < run.EndPage; page++)
            {
                pages.Add(page);
            }
        }

        return [.. pages];
    }
}
