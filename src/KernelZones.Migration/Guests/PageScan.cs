using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelZones.Migration.Guests;

/// <summary>Zero-page detection for the engine's hot path.</summary>
internal static class PageScan
{
    /// <summary>Whether every byte of <paramref name="data"/> is zero.</summary>
    /// <remarks>
    /// ORs four 32-byte vectors per step and tests once: measured on this project's build machine (AVX-512 capable,
    /// L1/L2-resident data) at ~75–130 GB/s for 4 KiB and ~45–107 GB/s for 256 KiB, against ~15–45 GB/s for
    /// <c>IndexOfAnyExcept((byte)0) &lt; 0</c>, which tests every vector. Four 64-byte vectors were no faster.
    /// Exits at the first non-zero block, so random data costs one step.
    /// </remarks>
    public static bool IsZero(ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint offset = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            nuint step = (nuint)(4 * Vector256<byte>.Count);
            for (; offset + step <= length; offset += step)
            {
                Vector256<byte> any = Vector256.LoadUnsafe(ref start, offset)
                    | Vector256.LoadUnsafe(ref start, offset + (nuint)Vector256<byte>.Count)
                    | Vector256.LoadUnsafe(ref start, offset + (nuint)(2 * Vector256<byte>.Count))
                    | Vector256.LoadUnsafe(ref start, offset + (nuint)(3 * Vector256<byte>.Count));
                if (any != Vector256<byte>.Zero)
                {
                    return false;
                }
            }
        }

        return data[(int)offset..].IndexOfAnyExcept((byte)0) < 0;
    }

    /// <summary>Whether the page at <paramref name="page"/> of a run of pages is all zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsZeroPage(ReadOnlySpan<byte> pages, int page, int pageSize) => IsZero(pages.Slice(page * pageSize, pageSize));
}
