using System.Numerics;

namespace KernelZones.Migration.Guests;

/// <summary>
/// A set of pages as one bit per page (bit <c>p % 64</c> of word <c>p / 64</c>, the layout of a KVM dirty log),
/// with 64-bit page numbers: a 1 TiB guest of 4 KiB pages takes 32 MiB.
/// </summary>
/// <remarks>Thread-safety: none; one thread uses an instance at a time. Bits past <see cref="PageCount"/> are always clear.</remarks>
public sealed class DirtyPageBitmap
{
    /// <summary>The largest page count a bitmap can hold (about 1.4 × 10^11 pages, 512 TiB of 4 KiB pages).</summary>
    public static readonly long MaxPageCount = (long)Array.MaxLength * 64;

    private readonly ulong[] _words;

    /// <summary>Creates an empty bitmap.</summary>
    /// <param name="pageCount">Number of pages, 1 to <see cref="MaxPageCount"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageCount"/> is out of range.</exception>
    public DirtyPageBitmap(long pageCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageCount, MaxPageCount);
        PageCount = pageCount;
        _words = new ulong[(int)((pageCount + 63) >> 6)];
    }

    /// <summary>Number of pages the bitmap covers.</summary>
    public long PageCount { get; }

    /// <summary>The bitmap's words, for collectors in this assembly.</summary>
    internal Span<ulong> Words => _words;

    /// <summary>Whether <paramref name="page"/> is in the set.</summary>
    /// <param name="page">Page number, 0 to <see cref="PageCount"/> − 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="page"/> is out of range.</exception>
    public bool IsSet(long page)
    {
        CheckPage(page);
        return (_words[page >> 6] & (1UL << (int)(page & 63))) != 0;
    }

    /// <summary>Adds <paramref name="page"/> to the set.</summary>
    /// <param name="page">Page number, 0 to <see cref="PageCount"/> − 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="page"/> is out of range.</exception>
    public void Set(long page)
    {
        CheckPage(page);
        _words[page >> 6] |= 1UL << (int)(page & 63);
    }

    /// <summary>Removes <paramref name="page"/> from the set.</summary>
    /// <param name="page">Page number, 0 to <see cref="PageCount"/> − 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="page"/> is out of range.</exception>
    public void Reset(long page)
    {
        CheckPage(page);
        _words[page >> 6] &= ~(1UL << (int)(page & 63));
    }

    /// <summary>Adds the pages <paramref name="firstPage"/> to <paramref name="firstPage"/> + <paramref name="pageCount"/> − 1.</summary>
    /// <param name="firstPage">First page number.</param>
    /// <param name="pageCount">Number of pages, 0 or more; the range must lie inside the bitmap.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the bitmap.</exception>
    public void SetRange(long firstPage, long pageCount)
    {
        CheckRange(firstPage, pageCount);
        PageBits.SetRange(_words, firstPage, pageCount);
    }

    /// <summary>Adds every page whose bit is set in <paramref name="words"/>, which start at word <paramref name="firstWord"/> (pages 64 × <paramref name="firstWord"/> on).</summary>
    /// <param name="firstWord">Index of the first word, so that bit <c>b</c> of <c>words[i]</c> is page <c>64 × (firstWord + i) + b</c>.</param>
    /// <param name="words">Bits to add, for example a hypervisor's dirty log.</param>
    /// <exception cref="ArgumentOutOfRangeException">The words reach past the bitmap, or set a bit past <see cref="PageCount"/>.</exception>
    public void UnionWith(long firstWord, ReadOnlySpan<ulong> words)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstWord);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstWord + words.Length, _words.Length, nameof(words));
        if (firstWord + words.Length == _words.Length && words.Length > 0 && (words[^1] & ~LastWordMask) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(words), $"A bit past page {PageCount - 1} (the last page) is set.");
        }

        Span<ulong> target = _words.AsSpan((int)firstWord, words.Length);
        for (int i = 0; i < words.Length; i++)
        {
            target[i] |= words[i];
        }
    }

    /// <summary>Adds every page of <paramref name="other"/>.</summary>
    /// <param name="other">A bitmap with the same <see cref="PageCount"/>.</param>
    /// <exception cref="ArgumentException">The page counts differ.</exception>
    public void UnionWith(DirtyPageBitmap other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.PageCount != PageCount)
        {
            throw new ArgumentException($"The bitmap covers {other.PageCount} pages, not {PageCount}.", nameof(other));
        }

        UnionWith(0, other._words);
    }

    /// <summary>Empties the set.</summary>
    public void Clear() => Array.Clear(_words);

    /// <summary>Counts the pages in the set.</summary>
    /// <returns>The number of set bits.</returns>
    public long PopCount()
    {
        long count = 0;
        foreach (ulong word in _words)
        {
            count += BitOperations.PopCount(word);
        }

        return count;
    }

    private ulong LastWordMask => (PageCount & 63) == 0 ? ulong.MaxValue : (1UL << (int)(PageCount & 63)) - 1;

    private void CheckPage(long page)
    {
        if ((ulong)page >= (ulong)PageCount)
        {
            ThrowHelper.ThrowPageOutOfRange(page, PageCount);
        }
    }

    private void CheckRange(long firstPage, long pageCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstPage);
        ArgumentOutOfRangeException.ThrowIfNegative(pageCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageCount, PageCount - firstPage);
    }
}
