using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation.Internal;
namespace KernelZones.Migration.Simulation;

internal sealed unsafe partial class InMemoryGuestMemory
{
    private const int FillChunkBytes = 1024 * 1024;

    /// <summary>Copies <paramref name="data"/> into memory at <paramref name="offset"/> as a guest store would, then marks the pages it touched dirty.</summary>
    /// <param name="offset">Byte offset in guest memory.</param>
    /// <param name="data">Bytes to write; the range must lie inside the memory.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the memory.</exception>
    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        CheckBytes(offset, data.Length);
        data.CopyTo(new Span<byte>(Base + offset, data.Length));
        MarkDirty(offset, data.Length);
    }

    /// <summary>Sets <paramref name="length"/> bytes from <paramref name="offset"/> to <paramref name="value"/>, then marks the pages dirty.</summary>
    /// <param name="offset">Byte offset in guest memory.</param>
    /// <param name="length">Number of bytes; the range must lie inside the memory.</param>
    /// <param name="value">The byte to store.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the memory.</exception>
    public void Fill(long offset, long length, byte value)
    {
        CheckBytes(offset, length);
        for (long done = 0; done < length; done += FillChunkBytes)
        {
            int chunk = (int)Math.Min(FillChunkBytes, length - done);
            new Span<byte>(Base + offset + done, chunk).Fill(value);
        }

        MarkDirty(offset, length);
    }

    /// <summary>Fills a range with pseudo-random (incompressible) bytes determined by <paramref name="seed"/>, then marks the pages dirty.</summary>
    /// <param name="offset">Byte offset in guest memory.</param>
    /// <param name="length">Number of bytes; the range must lie inside the memory.</param>
    /// <param name="seed">Seed of the generator: the same seed, offset and length give the same bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the memory.</exception>
    public void FillRandom(long offset, long length, int seed)
    {
        CheckBytes(offset, length);
        for (long done = 0; done < length; done += FillChunkBytes)
        {
            // Each 1 MiB of the range has its own stream, seeded from the seed and its place in the range.
            int chunk = (int)Math.Min(FillChunkBytes, length - done);
            SeededBytes.Fill(new Span<byte>(Base + offset + done, chunk), ((ulong)(uint)seed << 32) ^ (ulong)(done / FillChunkBytes));
        }

        MarkDirty(offset, length);
    }

    /// <summary>Copies bytes out of guest memory.</summary>
    /// <param name="offset">Byte offset in guest memory.</param>
    /// <param name="destination">Receives <c>destination.Length</c> bytes; the range must lie inside the memory.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the memory.</exception>
    public void Read(long offset, Span<byte> destination)
    {
        CheckBytes(offset, destination.Length);
        new ReadOnlySpan<byte>(Base + offset, destination.Length).CopyTo(destination);
    }

    /// <inheritdoc/>
    public void StartDirtyTracking()
    {
        if (_tracking)
        {
            throw new InvalidOperationException("Dirty tracking is already on.");
        }

        DiscardDirtySet();
        _tracking = true;
    }

    /// <inheritdoc/>
    public void StopDirtyTracking()
    {
        _tracking = false;
        DiscardDirtySet();
    }

    /// <inheritdoc/>
    public long CollectDirtyPages(DirtyPageBitmap destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.PageCount != PageCount)
        {
            throw new ArgumentException($"The bitmap covers {destination.PageCount} pages, not the guest's {PageCount}.", nameof(destination));
        }

        if (!_tracking)
        {
            throw new InvalidOperationException("Dirty tracking is off: call StartDirtyTracking first.");
        }

        Span<ulong> target = destination.Words;
        long moved = 0;
        int index = 0;
        while (true)
        {
            // A plain (vectorized) scan finds candidate words; only those are exchanged. A mark the scan misses
            // stays set for the next collection, so skipping a word that reads zero loses nothing.
            int found = _dirty.AsSpan(index).IndexOfAnyExcept(0UL);
            if (found < 0)
            {
                return moved;
            }

            index += found;
            ulong bits = Interlocked.Exchange(ref _dirty[index], 0UL);
            target[index] |= bits;
            moved += (long)ulong.PopCount(bits);
            index++;
        }
    }

    private void DiscardDirtySet()
    {
        for (int i = 0; i < _dirty.Length; i++)
        {
            if (Volatile.Read(ref _dirty[i]) != 0)
            {
                Interlocked.Exchange(ref _dirty[i], 0UL);
            }
        }
    }

    private void MarkDirty(long offset, long length)
    {
        // Marks even when tracking is off: a write racing StartDirtyTracking then cannot be lost (Start discards
        // the set before it turns tracking on, and a mark landing after the discard is simply collected later).
        if (length > 0)
        {
            long firstPage = offset >> _pageShift;
            long endPage = ((offset + length - 1) >> _pageShift) + 1;
            PageBits.SetRangeAtomic(_dirty, firstPage, endPage - firstPage);
        }
    }

    private void CheckBytes(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Size - offset);
    }
}
