using System.Runtime.InteropServices;

namespace KernelZones.Migration.Simulation.Internal;

/// <summary>
/// Incompressible bytes from a seed, fast: xoshiro256** (Blackman and Vigna), its state expanded from the seed with
/// SplitMix64 as its authors recommend. Several times faster than a seeded <see cref="System.Random"/> (the legacy
/// generator), so that filling a guest of gigabytes does not dominate a sample's or a benchmark's run. Not for secrets.
/// </summary>
internal static class SeededBytes
{
    /// <summary>Fills <paramref name="destination"/> with the bytes <paramref name="seed"/> determines.</summary>
    public static void Fill(Span<byte> destination, ulong seed)
    {
        ulong s0 = SplitMix(ref seed), s1 = SplitMix(ref seed), s2 = SplitMix(ref seed), s3 = SplitMix(ref seed);
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(destination);
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = Next(ref s0, ref s1, ref s2, ref s3);
        }

        Span<byte> tail = destination[(words.Length * sizeof(ulong))..];
        if (!tail.IsEmpty)
        {
            ulong last = Next(ref s0, ref s1, ref s2, ref s3);
            MemoryMarshal.AsBytes(new Span<ulong>(ref last))[..tail.Length].CopyTo(tail);
        }
    }

    private static ulong Next(ref ulong s0, ref ulong s1, ref ulong s2, ref ulong s3)
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
