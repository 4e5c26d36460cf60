using KernelZones.Migration.Guests;

namespace KernelZones.Migration.Tests.Guests;

/// <summary>A run of consecutive set pages of a bitmap.</summary>
internal readonly record struct PageRun(long FirstPage, int PageCount)
{
    public long EndPage => FirstPage + PageCount;
}

/// <summary>
/// The set pages of a <see cref="DirtyPageBitmap"/> as runs, found with the scan the engine's batches use
/// (<c>PageBits.FindNext</c>), so that tests both read bitmaps with it and check it.
/// </summary>
internal static class BitmapRuns
{
    /// <summary>Runs of set pages in ascending order; a longer stretch than <paramref name="maxRunPages"/> is split.</summary>
    public static List<PageRun> Of(DirtyPageBitmap bitmap, int maxRunPages = int.MaxValue)
    {
        var runs = new List<PageRun>();
        long next = 0;
        while ((next = PageBits.FindNext(bitmap.Words, next, bitmap.PageCount, set: true)) < bitmap.PageCount)
        {
            long end = PageBits.FindNext(bitmap.Words, next, Math.Min(bitmap.PageCount, next + maxRunPages), set: false);
            runs.Add(new PageRun(next, (int)(end - next)));
            next = end;
        }

        return runs;
    }

    /// <summary>Every set page in ascending order.</summary>
    public static IEnumerable<long> Pages(DirtyPageBitmap bitmap) =>
        Of(bitmap).SelectMany(run => Enumerable.Range(0, run.PageCount).Select(i => run.FirstPage + i));
}
