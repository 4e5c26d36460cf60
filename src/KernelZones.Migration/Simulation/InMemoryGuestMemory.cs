using System.Numerics;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation.Internal;

namespace KernelZones.Migration.Simulation;

/// <summary>
/// Guest memory from the operating system, zero-filled and page-aligned, safe beyond 4 GiB: an anonymous private
/// mapping on Linux, native memory elsewhere. Pages never
/// written cost nothing: the operating system zeroes them on first touch, or when the memory is populated.
/// </summary>
/// <remarks>
/// <para>Thread-safety: as <see cref="IGuestMemory"/> states; in addition <see cref="Write"/>, <see cref="Fill"/>,
/// <see cref="FillRandom"/> and <see cref="Read"/> may be called from any number of threads, also while the memory is
/// being populated. Dispose only after every user (workloads, stripes) is done: spans handed out before point into
/// freed memory afterwards.</para>
/// <para>Every write through <see cref="Write"/> and the fill methods marks its pages dirty after the data is
/// written, with an <see cref="Interlocked.Or(ref ulong, ulong)"/> (a full fence) — the write-then-mark contract.
/// Population marks nothing and changes no byte.</para>
/// </remarks>
internal sealed unsafe partial class InMemoryGuestMemory : IGuestMemory, IDisposable
{
    /// <summary>The default page size in bytes (4096).</summary>
    public const int DefaultPageSize = 4096;

    private const int MinPageSize = 512;

    private readonly int _pageShift;
    private readonly ulong[] _dirty;
    private readonly AnonymousMapping _mapping;
    private byte* _base;
    private volatile bool _tracking;

    /// <summary>Allocates zero-filled guest memory.</summary>
    /// <param name="size">Size in bytes: a positive multiple of <paramref name="pageSize"/>.</param>
    /// <param name="pageSize">Page size in bytes: a power of two from 512 to <see cref="IGuestMemory.MaxRunBytes"/>; default 4096.</param>
    /// <param name="populate">
    /// Whether to back every page with RAM now, as a kernel zone's memory is reserved when it boots, instead of on
    /// first touch. Default <see langword="false"/>: untouched pages cost nothing, which suits large mostly-empty
    /// guests. When <see langword="true"/> the constructor returns at once and background threads (one per CPU, each
    /// its own slice) back the memory by touching each page without changing it;
    /// <see cref="Populated"/> completes when they are done. A destination populating the guest it boots in
    /// migrating-in mode pays the page faults during its setup, not during the transfer where they would compete
    /// with decryption.
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

        _mapping = new AnonymousMapping(size, pageSize);
        _base = _mapping.Base;
        _populated = populate ? StartPopulating() : Task.CompletedTask;
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

    /// <summary>
    /// Stops a population still running (waiting for each thread's current 8 MiB), then returns the memory to the
    /// operating system. Idempotent; see the remarks on when it is safe.
    /// </summary>
    public void Dispose()
    {
        _base = null;
        StopPopulating();
        _mapping.Dispose();
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
