using System.IO.Hashing;

namespace KernelZones.Migration.Guests;

/// <summary>
/// An order-independent 128-bit digest of guest memory that can be kept up to date page by page while pages
/// are sent or received, so that verification at switchover hashes only the final round's pages.
/// </summary>
/// <remarks>
/// <para><b>Definition.</b> Page <c>p</c> with contents <c>c</c> contributes <c>h = XxHash3(c, seed: p)</c>, or
/// <c>h = Z(p)</c> (a mix of the page number alone) when <c>c</c> is all zero — so both sides agree on zero pages
/// without the source sending or the destination hashing their bytes. Seeding with the page number binds the
/// contents to its address without copying them behind it. The digest is <c>(Σ h, Σ Mix(h))</c>, each lane mod
/// 2^64, with <c>Mix</c> a non-linear bijection (the SplitMix64 finalizer) so that the two lanes are independent.</para>
/// <para><b>Replacing a page.</b> The last <c>h</c> of every page is kept (8 bytes per page, 8 MiB per GiB), so
/// an update swaps it in with <see cref="Interlocked.Exchange(ref ulong, ulong)"/> and adds <c>new − old</c> to the
/// lanes. Because addition commutes, the digest equals the digest of the last copy of every page for any order of
/// updates, also when two threads update the same page. A page never updated contributes 0.</para>
/// <para><b>Strength.</b> Detects lost, stale, misplaced or corrupted pages (engine bugs); it is no MAC — the
/// transport's AEAD authenticates the data. Two copies collide only if their 64-bit page hashes do.</para>
/// <para>Thread-safety: <see cref="UpdatePages"/>, <see cref="UpdateLeadingRun"/> and <see cref="UpdateZeroPages"/> may be
/// called from any number of threads; <see cref="Value"/> is exact once the updates it should include have completed.</para>
/// </remarks>
internal sealed class PageDigest
{
    private readonly ulong[] _pageHashes;
    private readonly int _pageSize;
    private ulong _sum;
    private ulong _mixedSum;

    /// <summary>Creates a digest in which no page has contributed yet.</summary>
    public PageDigest(long pageCount, int pageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageCount, Array.MaxLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        _pageHashes = new ulong[pageCount];
        _pageSize = pageSize;
    }

    /// <summary>The digest of the last contribution of every page.</summary>
    public UInt128 Value => new(Volatile.Read(ref _mixedSum), Volatile.Read(ref _sum));

    /// <summary>Records the contents of the whole pages in <paramref name="pages"/>, starting at page <paramref name="firstPage"/>.</summary>
    public void UpdatePages(long firstPage, ReadOnlySpan<byte> pages)
    {
        int count = WholePages(pages);
        CheckRange(firstPage, count);
        ulong sum = 0;
        ulong mixedSum = 0;
        for (int i = 0; i < count; i++)
        {
            long page = firstPage + i;
            ulong hash = PageHash(page, pages.Slice(i * _pageSize, _pageSize));
            Replace(page, hash, ref sum, ref mixedSum);
        }

        Add(sum, mixedSum);
    }

    /// <summary>
    /// Records the leading run of <paramref name="pages"/> (from page <paramref name="firstPage"/> on): the pages that are
    /// all zero, or all non-zero, like the first. Each page is tested for zero and hashed in one visit, while it is in the
    /// core's cache; the run ends at the first page of the other kind, which is read no further than its test needs.
    /// </summary>
    /// <param name="firstPage">Page number of the first page of <paramref name="pages"/>.</param>
    /// <param name="pages">Whole pages, at least one.</param>
    /// <param name="zero">Whether the run is of zero pages.</param>
    /// <returns>The number of pages in the run, at least 1.</returns>
    public int UpdateLeadingRun(long firstPage, ReadOnlySpan<byte> pages, out bool zero)
    {
        int count = WholePages(pages);
        ArgumentOutOfRangeException.ThrowIfZero(count, nameof(pages));
        CheckRange(firstPage, count);
        zero = PageScan.IsZero(pages[.._pageSize]);
        ulong sum = 0;
        ulong mixedSum = 0;
        int run = 0;
        do
        {
            long page = firstPage + run;
            ReadOnlySpan<byte> contents = pages.Slice(run * _pageSize, _pageSize);
            if (run > 0 && PageScan.IsZero(contents) != zero)
            {
                break;
            }

            Replace(page, zero ? ZeroPageHash(page) : XxHash3.HashToUInt64(contents, page), ref sum, ref mixedSum);
            run++;
        }
        while (run < count);

        Add(sum, mixedSum);
        return run;
    }

    /// <summary>Records that the <paramref name="pageCount"/> pages from <paramref name="firstPage"/> are all zero.</summary>
    public void UpdateZeroPages(long firstPage, long pageCount)
    {
        CheckRange(firstPage, pageCount);
        ulong sum = 0;
        ulong mixedSum = 0;
        for (long page = firstPage; page < firstPage + pageCount; page++)
        {
            Replace(page, ZeroPageHash(page), ref sum, ref mixedSum);
        }

        Add(sum, mixedSum);
    }

    /// <summary>Computes the digest of all of <paramref name="memory"/> as it is now, as if every page had been updated once.</summary>
    public static UInt128 Compute(IGuestMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        int pageSize = memory.PageSize;
        int runPages = IGuestMemory.MaxRunBytes / pageSize;
        ulong sum = 0;
        ulong mixedSum = 0;
        for (long first = 0; first < memory.PageCount; first += runPages)
        {
            int count = (int)Math.Min(runPages, memory.PageCount - first);
            ReadOnlySpan<byte> pages = memory.GetPages(first, count);
            for (int i = 0; i < count; i++)
            {
                ulong hash = PageHash(first + i, pages.Slice(i * pageSize, pageSize));
                sum += hash;
                mixedSum += Mix(hash);
            }
        }

        return new UInt128(mixedSum, sum);
    }

    /// <summary>The contribution of page <paramref name="page"/> with contents <paramref name="contents"/>.</summary>
    public static ulong PageHash(long page, ReadOnlySpan<byte> contents) =>
        PageScan.IsZero(contents) ? ZeroPageHash(page) : XxHash3.HashToUInt64(contents, page);

    /// <summary>The contribution of an all-zero page: the page number mixed, in its own domain.</summary>
    public static ulong ZeroPageHash(long page) => Mix((ulong)page ^ 0x5A45524F50414745UL); // "ZEROPAGE"

    // SplitMix64's finalizer: a bijection on 64-bit values, non-linear under addition.
    private static ulong Mix(ulong value)
    {
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    private void Replace(long page, ulong hash, ref ulong sum, ref ulong mixedSum)
    {
        ulong old = Interlocked.Exchange(ref _pageHashes[page], hash);
        sum += hash - old;
        mixedSum += Mix(hash) - Mix(old);
    }

    private void Add(ulong sum, ulong mixedSum)
    {
        Interlocked.Add(ref _sum, sum);
        Interlocked.Add(ref _mixedSum, mixedSum);
    }

    private int WholePages(ReadOnlySpan<byte> pages)
    {
        if (pages.Length % _pageSize != 0)
        {
            throw new ArgumentException($"{pages.Length} bytes is not a whole number of {_pageSize}-byte pages.", nameof(pages));
        }

        return pages.Length / _pageSize;
    }

    private void CheckRange(long firstPage, long pageCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstPage);
        ArgumentOutOfRangeException.ThrowIfNegative(pageCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageCount, _pageHashes.LongLength - firstPage);
    }
}
