using System.Numerics;
using System.Runtime.InteropServices;

namespace KernelZones.Migration.Guests;

/// <summary>
/// Guest memory on native memory, zero-filled and page-aligned, safe beyond 4 GiB. Pages never written
/// cost nothing: the allocation is zeroed by the operating system on first touch.
/// </summary>
/// <remarks>
/// <para>Thread-safety: as <see cref="IGuestMemory"/> states; in addition <see cref="Write"/>, <see cref="Fill"/>,
/// <see cref="FillRandom"/> and <see cref="Read"/> may be called from any number of threads. Dispose only after
/// every user (workloads, stripes) is done: spans handed out before point into freed memory afterwards.</para>
/// <para>Every write through <see cref="Write"/> and the fill methods marks its pages dirty after the data is
/// written, with an <see cref="Interlocked.Or(ref ulong, ulong)"/> (a full fence) — the write-then-mark contract.</para>
/// </remarks>
public sealed unsafe partial class InMemoryGuestMemory : IGuestMemory, IDisposable
{
    /// <summary>The default page size in bytes (4096).</summary>
    public const int DefaultPageSize = 4096;

    private const int MinPageSize = 512;

    private readonly int _pageShift;
    private readonly ulong[] _dirty;
    private void* _allocation;
    private byte* _base;
    private volatile bool _tracking;

    /// <summary>Allocates zero-filled guest memory.</summary>
    /// <param name="size">Size in bytes: a positive multiple of <paramref name="pageSize"/>.</param>
    /// <param name="pageSize">Page size in bytes: a power of two from 512 to <see cref="IGuestMemory.MaxRunBytes"/>; default 4096.</param>
    /// <param name="populate">
    /// Whether to back every page with RAM now, as a kernel zone's memory is reserved when it boots, instead of on
    /// first touch. Default <see langword="false"/>: untouched pages cost nothing, which suits large mostly-empty
    /// guests. A destination that populates its guest when the zone boots in migrating-in mode pays the operating
    /// system's page faults and zeroing (0.5–2 s of CPU per GiB on this project's virtual build machine, spread over
    /// the CPUs) during setup instead of during the transfer, where they would compete with decryption.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    /// <exception cref="OutOfMemoryException">The process cannot reserve <paramref name="size"/> bytes.</exception>
    public InMemoryGuestMemory(long size, int pageSize = DefaultPageSize, bool populate = false)
    {
        if (pageSize < MinPageSize || pageSize > IGuestMemory.MaxRunBytes || !BitOperations.IsPow2(pageSize))
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, $"The page size must be a power of two from {MinPageSize} to {IGuestMemory.MaxRunBytes} bytes.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(size, pageSize);
        if (size % pageSize != 0 || size / pageSize > DirtyPageBitmap.MaxPageCount)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"The size must be a multiple of the {pageSize}-byte page size and at most {DirtyPageBitmap.MaxPageCount} pages.");
        }

        Size = size;
        PageSize = pageSize;
        PageCount = size / pageSize;
        _pageShift = BitOperations.Log2((uint)pageSize);
        _dirty = new ulong[(int)((PageCount + 63) >> 6)];

        // calloc, not an aligned alloc: large zeroed allocations are fresh anonymous mappings whose pages the OS
        // zeroes lazily, so untouched guest pages cost no RAM. The page alignment is made by hand.
        _allocation = NativeMemory.AllocZeroed((nuint)(size + pageSize));
        _base = (byte*)(((nuint)_allocation + (nuint)pageSize - 1) & ~((nuint)pageSize - 1));
        if (populate)
        {
            Populate();
        }
    }

    /// <inheritdoc/>
    public long Size { get; }

    /// <inheritdoc/>
    public int PageSize { get; }

    /// <inheritdoc/>
    public long PageCount { get; }

    /// <inheritdoc/>
    public bool IsDirtyTracking => _tracking;

    /// <inheritdoc/>
    public ReadOnlySpan<byte> GetPages(long firstPage, int pageCount) => Run(firstPage, pageCount);

    /// <inheritdoc/>
    public Span<byte> GetWritablePages(long firstPage, int pageCount) => Run(firstPage, pageCount);

    /// <summary>Releases the native memory. Idempotent; see the remarks on when it is safe.</summary>
    public void Dispose()
    {
        void* allocation = _allocation;
        _allocation = null;
        _base = null;
        if (allocation != null)
        {
            NativeMemory.Free(allocation);
        }
    }

    /// <summary>Writes one zero into every operating-system page, a slice of the memory per CPU: each write faults its page in.</summary>
    private void Populate()
    {
        byte* start = _base;
        long size = Size;
        long stride = Environment.SystemPageSize;
        int slices = Math.Max(1, (int)Math.Min(Environment.ProcessorCount, size / (64L << 20)));
        long sliceBytes = (size / slices + stride - 1) / stride * stride;
        Parallel.For(0, slices, slice =>
        {
            long end = Math.Min(size, (slice + 1) * sliceBytes);
            for (long offset = slice * sliceBytes; offset < end; offset += stride)
            {
                Volatile.Write(ref start[offset], 0);
            }

            // With guest pages smaller than the system's the memory need not start on a system page: its last one too.
            if (end > slice * sliceBytes)
            {
                Volatile.Write(ref start[end - 1], 0);
            }
        });
    }

    private Span<byte> Run(long firstPage, int pageCount)
    {
        byte* start = Base;
        if (firstPage < 0 || pageCount < 1 || pageCount > (IGuestMemory.MaxRunBytes >> _pageShift) || pageCount > PageCount - firstPage)
        {
            ThrowHelper.ThrowRunOutOfRange(firstPage, pageCount, PageCount, IGuestMemory.MaxRunBytes >> _pageShift);
        }

        return new Span<byte>(start + (firstPage << _pageShift), pageCount << _pageShift);
    }

    private byte* Base
    {
        get
        {
            byte* start = _base;
            if (start == null)
            {
                ThrowHelper.ThrowObjectDisposed(nameof(InMemoryGuestMemory));
            }

            return start;
        }
    }
}
