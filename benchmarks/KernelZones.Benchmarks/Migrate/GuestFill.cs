using System.Runtime.InteropServices;
using KernelZones.Migration.Guests;

namespace KernelZones.Benchmarks.Migrate;

/// <summary>
/// Fills guest memory with incompressible bytes fast: xoshiro256** (Blackman and Vigna) per 4 MiB run, each run
/// seeded from its index so that runs fill in parallel on every core. Filling must not dominate a 4 GiB benchmark;
/// <see cref="System.Random"/> with a seed is the legacy generator and is several times slower.
/// </summary>
/// <remarks>Writes through <see cref="IGuestMemory.GetWritablePages"/>, so nothing is marked dirty: call it before the migration starts.</remarks>
internal static class GuestFill
{
    public static void FillRandom(IGuestMemory memory, ulong seed)
    {
        int runPages = IGuestMemory.MaxRunBytes / memory.PageSize;
        long runs = (memory.PageCount + runPages - 1) / runPages;
        Parallel.For(0L, runs, run =>
        {
            long first = run * runPages;
            int count = (int)Math.Min(runPages, memory.PageCount - first);
            Fill(MemoryMarshal.Cast<byte, ulong>(memory.GetWritablePages(first, count)), seed ^ (ulong)run * 0x9E3779B97F4A7C15UL);
        });
    }

    private static void Fill(Span<ulong> words, ulong seed)
    {
        ulong s0 = SplitMix(ref seed), s1 = SplitMix(ref seed), s2 = SplitMix(ref seed), s3 = SplitMix(ref seed);
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = ulong.RotateLeft(s1 * 5, 7) * 9;
            ulong t = s1 << 17;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = ulong.RotateLeft(s3, 45);
        }
    }

    // SplitMix64 expands one seed into xoshiro's state, as its authors recommend.
    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
