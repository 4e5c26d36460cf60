using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation;

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
        // The writer stores rising sequence numbers into the first 8 bytes of random pages and publishes each one
        // after Write returns (after its mark). Checked at every collection: each write published before the collection
        // began has been seen by this or an earlier collection's read of its page. A lost mark breaks this.
        const int Pages = 4096;
        const int Collections = 2000;
        using var memory = new InMemoryGuestMemory(Pages * 4096L);
        memory.StartDirtyTracking();
        long[] published = new long[Pages];
        long[] publishedBefore = new long[Pages];
        long[] collected = new long[Pages];
        using var stop = new CancellationTokenSource();
        var writer = new Thread(() =>
        {
            var random = new Random(3);
            for (long sequence = 1; !stop.IsCancellationRequested; sequence++)
            {
                int page = random.Next(Pages);
                memory.Write(page * 4096L, BitConverter.GetBytes(sequence));
                Volatile.Write(ref published[page], sequence);
            }
        });
        writer.Start();
        var dirty = new DirtyPageBitmap(Pages);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool last = false;
        for (int collection = 0; !last; collection++)
        {
            // Bounded by count and by time (a busy machine makes collections slow); the last one runs after the writer ended.
            last = collection == Collections || clock.ElapsedMilliseconds > 500;
            if (last)
            {
                stop.Cancel();
                writer.Join();
            }

            for (int page = 0; page < Pages; page++)
            {
                publishedBefore[page] = Volatile.Read(ref published[page]);
            }

            dirty.Clear();
            memory.CollectDirtyPages(dirty);
            foreach (PageRun run in BitmapRuns.Of(dirty, 64))
            {
                for (long page = run.FirstPage; page < run.EndPage; page++)
                {
                    collected[page] = BitConverter.ToInt64(memory.GetPages(page, 1));
                }
            }

            for (int page = 0; page < Pages; page++)
            {
                Assert.True(collected[page] >= publishedBefore[page], $"collection {collection}, page {page}: write {publishedBefore[page]} published, {collected[page]} collected");
            }
        }

        Assert.True(published.Sum() > 0);
    }

    private static long[] Pages(DirtyPageBitmap bitmap)
    {
        return [.. BitmapRuns.Pages(bitmap)];
    }

    [Fact]
    public void Guest_fill_is_seeded_and_marks_the_pages_it_writes()
    {
        using var guest = new InMemoryGuest(1 << 20);
        using var twin = new InMemoryGuest(1 << 20);
        guest.Memory.StartDirtyTracking();

        guest.FillRandom(4096 + 7, 4096, seed: 5);
        twin.FillRandom(4096 + 7, 4096, seed: 5);

        var dirty = new DirtyPageBitmap(guest.Memory.PageCount);
        Assert.Equal(2, guest.Memory.CollectDirtyPages(dirty));
        Assert.Equal([1L, 2], Pages(dirty));
        Assert.Equal(twin.Memory.GetPages(1, 2).ToArray(), guest.Memory.GetPages(1, 2).ToArray());
        Assert.False(PageScan.IsZero(guest.Memory.GetPages(1, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => guest.FillRandom((1 << 20) - 1, 2, seed: 5));
    }
}
