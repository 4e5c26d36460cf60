using System.Numerics;

namespace KernelZones.Migration.Guests;

/// <summary>Bit scanning over page bitmaps stored as <see cref="ulong"/> words (bit <c>p % 64</c> of word <c>p / 64</c>).</summary>
internal static class PageBits
{
    /// <summary>Finds the first page in [<paramref name="from"/>, <paramref name="limit"/>) whose bit equals <paramref name="set"/>.</summary>
    /// <returns>That page, or <paramref name="limit"/> when there is none.</returns>
    public static long FindNext(ReadOnlySpan<ulong> words, long from, long limit, bool set)
    {
        if (from >= limit)
        {
            return limit;
        }

        ulong flip = set ? 0UL : ulong.MaxValue;
        int index = (int)(from >> 6);
        ulong word = (words[index] ^ flip) & (ulong.MaxValue << (int)(from & 63));
        if (word == 0)
        {
            int lastIndex = (int)((limit - 1) >> 6);
            if (index == lastIndex)
            {
                return limit;
            }

            // Whole words with nothing to find are skipped with the vectorized search.
            ReadOnlySpan<ulong> rest = words[(index + 1)..(lastIndex + 1)];
            int found = set ? rest.IndexOfAnyExcept(0UL) : rest.IndexOfAnyExcept(ulong.MaxValue);
            if (found < 0)
            {
                return limit;
            }

            index += 1 + found;
            word = words[index] ^ flip;
        }

        long page = ((long)index << 6) + BitOperations.TrailingZeroCount(word);
        return Math.Min(page, limit);
    }

    /// <summary>Sets the bits of pages [<paramref name="firstPage"/>, <paramref name="firstPage"/> + <paramref name="pageCount"/>), one OR per word.</summary>
    public static void SetRange(Span<ulong> words, long firstPage, long pageCount)
    {
        long end = firstPage + pageCount;
        long page = firstPage;
        while (page < end)
        {
            int bit = (int)(page & 63);
            int bits = (int)Math.Min(64 - bit, end - page);
            words[(int)(page >> 6)] |= RunMask(bit, bits);
            page += bits;
        }
    }

    /// <summary>Sets the bits of pages [<paramref name="firstPage"/>, <paramref name="firstPage"/> + <paramref name="pageCount"/>) atomically, one <see cref="Interlocked.Or(ref ulong, ulong)"/> per word.</summary>
    public static void SetRangeAtomic(ulong[] words, long firstPage, long pageCount)
    {
        long end = firstPage + pageCount;
        long page = firstPage;
        while (page < end)
        {
            int bit = (int)(page & 63);
            int bits = (int)Math.Min(64 - bit, end - page);
            Interlocked.Or(ref words[(int)(page >> 6)], RunMask(bit, bits));
            page += bits;
        }
    }

    private static ulong RunMask(int bit, int bits) => (bits == 64 ? ulong.MaxValue : (1UL << bits) - 1) << bit;
}
