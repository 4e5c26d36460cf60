namespace KernelZones.Migration.Precopy;

/// <summary>
/// Which stripe carries which page: guest memory is cut into fixed chunks of whole 64-page bitmap words, and
/// chunk <c>c</c> always travels on stripe <c>c mod N</c>. Because a page never changes stripe and records on one
/// stripe arrive in order, a page resent in a later round can never be overwritten by an older copy; because
/// chunks are whole bitmap words, stripes never share a word of the destination's arrival bitmap, and a stripe
/// finds its share of a dirty set by visiting its own chunks (<c>s</c>, <c>s + N</c>, <c>s + 2N</c>, ...) only.
/// </summary>
internal readonly struct PageAffinity
{
    public PageAffinity(int pageSize, int maxRecordPayload, int stripeCount)
    {
        int recordPages = Math.Max(1, maxRecordPayload / pageSize);
        RecordPages = recordPages;
        ChunkPages = (recordPages + 63) / 64 * 64;
        StripeCount = stripeCount;
    }

    /// <summary>The most pages one data record carries.</summary>
    public int RecordPages { get; }

    /// <summary>Pages per chunk: a multiple of 64 and of nothing else in particular.</summary>
    public int ChunkPages { get; }

    public int StripeCount { get; }

    public int StripeOf(long page) => (int)(page / ChunkPages % StripeCount);

    /// <summary>The first page after the chunk that holds <paramref name="page"/>.</summary>
    public long ChunkEnd(long page) => (page / ChunkPages + 1) * ChunkPages;

    /// <summary>How many chunks (the last one possibly short) cover <paramref name="pageCount"/> pages.</summary>
    public long ChunkCount(long pageCount) => (pageCount + ChunkPages - 1) / ChunkPages;
}
