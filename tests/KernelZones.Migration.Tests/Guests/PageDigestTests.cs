using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation;

namespace KernelZones.Migration.Tests.Guests;

public sealed class PageDigestTests
{
    private const int PageSize = 4096;
    private const int Pages = 300;

    [Fact]
    public void Same_contents_give_the_same_digest_regardless_of_update_order()
    {
        using InMemoryGuestMemory memory = Filled();
        UInt128 expected = PageDigest.Compute(memory);

        var forward = new PageDigest(Pages, PageSize);
        UpdateInRuns(forward, memory, Enumerable.Range(0, Pages));
        var shuffled = new PageDigest(Pages, PageSize);
        UpdateInRuns(shuffled, memory, Enumerable.Range(0, Pages).OrderBy(_ => Random.Shared.Next()));

        Assert.Equal(expected, forward.Value);
        Assert.Equal(expected, shuffled.Value);
    }

    [Fact]
    public void Resent_pages_replace_their_old_contribution()
    {
        using InMemoryGuestMemory memory = Filled();
        var digest = new PageDigest(Pages, PageSize);
        UpdateInRuns(digest, memory, Enumerable.Range(0, Pages));

        // Later rounds: pages change and are sent again, some twice; a zero page becomes non-zero and back.
        memory.FillRandom(10 * PageSize, 3 * PageSize, seed: 9);
        digest.UpdatePages(10, memory.GetPages(10, 3));
        memory.Fill(250 * PageSize, 1, 7);
        digest.UpdatePages(250, memory.GetPages(250, 1));
        memory.Fill(11 * PageSize, PageSize, 0);
        digest.UpdateZeroPages(11, 1);
        memory.Fill(250 * PageSize, 1, 0);
        digest.UpdatePages(250, memory.GetPages(250, 1));

        Assert.Equal(PageDigest.Compute(memory), digest.Value);
    }

    [Fact]
    public void A_single_changed_byte_changes_the_digest()
    {
        using InMemoryGuestMemory memory = Filled();
        UInt128 before = PageDigest.Compute(memory);
        memory.Write(123 * PageSize + 4000, [(byte)(memory.GetPages(123, 1)[4000] ^ 1)]);
        UInt128 afterRandomPage = PageDigest.Compute(memory);
        memory.Write(200 * PageSize + 17, [1]); // inside the zero part
        UInt128 afterZeroPage = PageDigest.Compute(memory);

        Assert.NotEqual(before, afterRandomPage);
        Assert.NotEqual(afterRandomPage, afterZeroPage);
        Assert.NotEqual(before, afterZeroPage);
    }

    [Fact]
    public void Zero_pages_contribute_the_same_whether_sent_as_a_range_or_hashed()
    {
        using InMemoryGuestMemory memory = Filled();
        var asRanges = new PageDigest(Pages, PageSize);
        asRanges.UpdatePages(0, memory.GetPages(0, 150)); // the random half
        asRanges.UpdateZeroPages(150, 150); // the zero half, no data
        var asData = new PageDigest(Pages, PageSize);
        asData.UpdatePages(0, memory.GetPages(0, Pages));

        Assert.Equal(PageDigest.Compute(memory), asRanges.Value);
        Assert.Equal(asRanges.Value, asData.Value);
        Assert.Equal(PageDigest.ZeroPageHash(5), PageDigest.PageHash(5, new byte[PageSize]));
    }

    [Fact]
    public void Moving_contents_to_another_page_changes_the_digest()
    {
        using InMemoryGuestMemory memory = Filled();
        UInt128 before = PageDigest.Compute(memory);
        byte[] page3 = memory.GetPages(3, 1).ToArray();
        memory.Write(3 * PageSize, memory.GetPages(4, 1));
        memory.Write(4 * PageSize, page3); // pages 3 and 4 swapped

        Assert.NotEqual(before, PageDigest.Compute(memory));
    }

    [Fact]
    public void Concurrent_updates_agree_with_the_full_digest()
    {
        using InMemoryGuestMemory memory = Filled();
        var digest = new PageDigest(Pages, PageSize);
        Parallel.For(0, 8, stripe =>
        {
            for (int page = stripe; page < Pages; page += 8)
            {
                digest.UpdatePages(page, memory.GetPages(page, 1));
                digest.UpdatePages(page, memory.GetPages(page, 1)); // a resend of the same copy
            }
        });

        Assert.Equal(PageDigest.Compute(memory), digest.Value);
    }

    [Fact]
    public void Bad_ranges_are_rejected()
    {
        var digest = new PageDigest(Pages, PageSize);
        Assert.Throws<ArgumentException>(() => digest.UpdatePages(0, new byte[PageSize + 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => digest.UpdatePages(Pages, new byte[PageSize]));
        Assert.Throws<ArgumentOutOfRangeException>(() => digest.UpdateZeroPages(Pages - 1, 2));
    }

    [Fact]
    public void IsZero_finds_a_single_non_zero_byte_anywhere()
    {
        byte[] data = new byte[256 * 1024 + 37];
        Assert.True(PageScan.IsZero(data));
        Assert.True(PageScan.IsZero([]));
        foreach (int index in new[] { 0, 31, 127, 128, 4095, 131072, data.Length - 37, data.Length - 1 })
        {
            data[index] = 0x80;
            Assert.False(PageScan.IsZero(data), $"byte {index}");
            data[index] = 0;
        }
    }

    // Pages 0-149 random, 150-299 zero.
    private static InMemoryGuestMemory Filled()
    {
        var memory = new InMemoryGuestMemory((long)Pages * PageSize);
        memory.FillRandom(0, 150L * PageSize, seed: 42);
        return memory;
    }

    private static void UpdateInRuns(PageDigest digest, IGuestMemory memory, IEnumerable<int> pages)
    {
        foreach (int page in pages)
        {
            if (PageScan.IsZero(memory.GetPages(page, 1)))
            {
                digest.UpdateZeroPages(page, 1);
            }
            else
            {
                digest.UpdatePages(page, memory.GetPages(page, 1));
            }
        }
    }
}
