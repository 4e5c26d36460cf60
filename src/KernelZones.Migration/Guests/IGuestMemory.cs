namespace KernelZones.Migration.Guests;

/// <summary>
/// A guest's physical memory as a hypervisor exposes it to the migration engine: fixed-size pages
/// addressed by 64-bit page numbers, span access to runs of pages, and dirty-page tracking.
/// </summary>
/// <remarks>
/// <para><b>Thread-safety.</b> <see cref="GetPages"/> and <see cref="GetWritablePages"/> may be called
/// from any number of threads at once (one per stripe). <see cref="CollectDirtyPages"/> is called by one
/// thread at a time, concurrently with guest writes. <see cref="StartDirtyTracking"/> and
/// <see cref="StopDirtyTracking"/> are never called concurrently with each other or with a collection.</para>
/// <para><b>Write-then-mark contract.</b> The engine relies on this rule: whoever writes guest memory
/// (a vCPU, a device model) marks the page dirty <i>after</i> its write is complete and globally visible
/// (the mark is a full fence, for example an <see cref="Interlocked"/> operation). Then any write that a
/// collection may have missed — because the page was read while the write was in flight — sets the page's
/// bit again after that collection cleared it, and the page is sent again in a later round. A collection
/// must clear each bit atomically with reading it (for example <see cref="Interlocked.Exchange(ref ulong, ulong)"/>
/// per word), so that no mark is lost between the read and the clear.</para>
/// <para>Writes made through <see cref="GetWritablePages"/> (the destination filling memory) are not guest
/// writes and are not tracked.</para>
/// </remarks>
public interface IGuestMemory
{
    /// <summary>The largest run handed out by <see cref="GetPages"/> or <see cref="GetWritablePages"/>, in bytes (4 MiB).</summary>
    const int MaxRunBytes = 4 * 1024 * 1024;

    /// <summary>Memory size in bytes: a positive multiple of <see cref="PageSize"/>.</summary>
    long Size { get; }

    /// <summary>Page size in bytes: a power of two, at most <see cref="MaxRunBytes"/> (4096 on most hosts).</summary>
    int PageSize { get; }

    /// <summary>Number of pages: <see cref="Size"/> / <see cref="PageSize"/>.</summary>
    long PageCount { get; }

    /// <summary>Gives read access to <paramref name="pageCount"/> consecutive pages starting at <paramref name="firstPage"/>.</summary>
    /// <param name="firstPage">Page number of the first page, 0-based.</param>
    /// <param name="pageCount">Number of pages, at least 1, with <c>pageCount × PageSize ≤ MaxRunBytes</c>.</param>
    /// <returns>The pages' bytes, valid until the memory is disposed; the guest may change them while they are read.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The run is empty, too long, or not inside the memory.</exception>
    ReadOnlySpan<byte> GetPages(long firstPage, int pageCount);

    /// <summary>Gives write access to <paramref name="pageCount"/> consecutive pages (destination side); writes are not dirty-tracked.</summary>
    /// <param name="firstPage">Page number of the first page, 0-based.</param>
    /// <param name="pageCount">Number of pages, at least 1, with <c>pageCount × PageSize ≤ MaxRunBytes</c>.</param>
    /// <returns>The pages' bytes, valid until the memory is disposed.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The run is empty, too long, or not inside the memory.</exception>
    Span<byte> GetWritablePages(long firstPage, int pageCount);

    /// <summary>Whether dirty tracking is on (between <see cref="StartDirtyTracking"/> and <see cref="StopDirtyTracking"/>).</summary>
    bool IsDirtyTracking { get; }

    /// <summary>Starts dirty tracking with an empty dirty set: from now on every guest write marks its page.</summary>
    /// <exception cref="InvalidOperationException">Tracking is already on.</exception>
    void StartDirtyTracking();

    /// <summary>
    /// Moves the dirty set into <paramref name="destination"/> (bitwise OR, so that sets can accumulate) and
    /// clears it, atomically per page with respect to concurrent writers: every mark lands either in this
    /// collection or in a later one.
    /// </summary>
    /// <param name="destination">A bitmap with the same <see cref="DirtyPageBitmap.PageCount"/> as this memory.</param>
    /// <returns>The number of pages this collection moved (pages already set in <paramref name="destination"/> count too).</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has a different page count.</exception>
    /// <exception cref="InvalidOperationException">Tracking is off.</exception>
    long CollectDirtyPages(DirtyPageBitmap destination);

    /// <summary>Stops dirty tracking and discards the dirty set. Does nothing when tracking is off.</summary>
    void StopDirtyTracking();
}
