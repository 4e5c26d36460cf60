using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KernelZones.Migration.Guests;

namespace KernelZones.Migration.Tests.Guests;

public sealed class DirtyPageBitmapTests
{
    public sealed record Case(long PageCount, long[] Pages, int MaxRunPages);

    [Property(Arbitrary = [typeof(DirtyPageBitmapTests)], MaxTest = 300)]
    public bool Runs_reconstruct_exactly_the_set_pages_for_any_max_run_length(Case c) => RunsReconstruct(c);

    [Property(Arbitrary = [typeof(DirtyPageBitmapTests)], MaxTest = 300)]
    public bool PopCount_counts_set_pages(Case c) => Build(c).PopCount() == c.Pages.Distinct().LongCount();

    [Fact]
    public void Set_test_reset_and_clear()
    {
        var bitmap = new DirtyPageBitmap(130);
        bitmap.Set(0);
        bitmap.Set(64);
        bitmap.Set(129);
        Assert.True(bitmap.IsSet(64));
        Assert.False(bitmap.IsSet(63));
        bitmap.Reset(64);
        Assert.False(bitmap.IsSet(64));
        Assert.Equal(2, bitmap.PopCount());
        bitmap.Clear();
        Assert.Equal(0, bitmap.PopCount());
        Assert.Empty(BitmapRuns.Of(bitmap, 8));
    }

    [Fact]
    public void SetRange_spanning_words_gives_runs_split_at_the_maximum()
    {
        var bitmap = new DirtyPageBitmap(1000);
        bitmap.SetRange(60, 200);
        Assert.Equal([new(60, 64), new(124, 64), new(188, 64), new(252, 8)], BitmapRuns.Of(bitmap, 64));
    }

    [Fact]
    public void Works_beyond_int_MaxValue_pages()
    {
        long pageCount = (long)int.MaxValue + 1000; // 256 MiB of bits
        var bitmap = new DirtyPageBitmap(pageCount);
        bitmap.Set(pageCount - 1);
        bitmap.Set((long)int.MaxValue + 5);
        bitmap.Set(3);
        Assert.Equal([new(3, 1), new((long)int.MaxValue + 5, 1), new(pageCount - 1, 1)], BitmapRuns.Of(bitmap, 16));
        Assert.Equal(3, bitmap.PopCount());
    }

    [Fact]
    public void Out_of_range_arguments_are_rejected()
    {
        var bitmap = new DirtyPageBitmap(100);
        Assert.Throws<ArgumentOutOfRangeException>(() => bitmap.Set(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => bitmap.IsSet(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => bitmap.SetRange(50, 51));
        Assert.Throws<ArgumentOutOfRangeException>(() => bitmap.UnionWith(1, [1UL, 1UL]));
        Assert.Throws<ArgumentOutOfRangeException>(() => bitmap.UnionWith(1, [1UL << 36]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DirtyPageBitmap(0));
        Assert.Throws<ArgumentException>(() => bitmap.UnionWith(new DirtyPageBitmap(101)));
    }

    [Fact]
    public void UnionWith_words_uses_the_KVM_bit_layout()
    {
        var bitmap = new DirtyPageBitmap(200);
        bitmap.UnionWith(1, [0b101UL, 1UL << 63]);
        Assert.True(bitmap.IsSet(64));
        Assert.True(bitmap.IsSet(66));
        Assert.True(bitmap.IsSet(191));
        Assert.Equal(3, bitmap.PopCount());
    }

    private static bool RunsReconstruct(Case c)
    {
        DirtyPageBitmap bitmap = Build(c);
        var seen = new HashSet<long>();
        PageRun previous = new(-1, 0);
        foreach (PageRun run in BitmapRuns.Of(bitmap, c.MaxRunPages))
        {
            // Ascending, non-overlapping, within the maximum; a run is cut short only at a clear page or the end,
            // and touches the previous run only when that one was cut at the maximum.
            bool cutCorrectly = run.PageCount == c.MaxRunPages || run.EndPage == c.PageCount || !bitmap.IsSet(run.EndPage);
            bool touchesLegally = run.FirstPage != previous.EndPage || previous.PageCount == c.MaxRunPages;
            if (run.PageCount < 1 || run.PageCount > c.MaxRunPages || run.FirstPage < previous.EndPage || !cutCorrectly || !touchesLegally)
            {
                return false;
            }

            for (long page = run.FirstPage; page < run.EndPage; page++)
            {
                seen.Add(page);
            }

            previous = run;
        }

        return seen.SetEquals(c.Pages);
    }

    private static DirtyPageBitmap Build(Case c)
    {
        var bitmap = new DirtyPageBitmap(c.PageCount);
        foreach (long page in c.Pages)
        {
            bitmap.Set(page);
        }

        return bitmap;
    }

    public static Arbitrary<Case> Cases()
    {
        Gen<Case> gen =
            from pageCount in Gen.Frequency((3, Gen.Choose(1, 300)), (1, Gen.Choose(1, 5000)))
            from density in Gen.Elements(0.0, 0.05, 0.5, 0.95, 1.0)
            from seed in Gen.Choose(0, int.MaxValue)
            from maxRun in Gen.Frequency((2, Gen.Choose(1, 8)), (1, Gen.Elements(63, 64, 65, 128)), (1, Gen.Choose(1, 10000)))
            select new Case(pageCount, Pages(pageCount, density, seed), maxRun);
        return Arb.From(gen);
    }

    private static long[] Pages(int pageCount, double density, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, pageCount).Where(_ => random.NextDouble() < density).Select(p => (long)p).ToArray();
    }
}
