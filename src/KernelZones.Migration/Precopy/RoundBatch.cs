using System.Buffers.Binary;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Precopy;

/// <summary>
/// One stripe's share of one pre-copy round: the pages of the round's set that fall in this stripe's chunks,
/// as data records read straight from guest memory, and runs of all-zero pages as data-less control records.
/// </summary>
/// <remarks>
/// <para>The stripe's sending loop asks for a record and seals its payload right after, so each page is visited once
/// on its way out: <see cref="TryGetNext"/> tests it for zero and hashes it into the digest in one pass
/// (<see cref="PageDigest.UpdateLeadingRun"/>), and the seal reads the record from the core's cache. The guest may
/// change a page between the hash and the seal; it marks the page dirty after its write, so the page is sent again in
/// a later round (the last one with the zone suspended), and both digests keep only that last copy.</para>
/// <para>The batch visits only this stripe's chunks of the set (<see cref="PageAffinity"/>), never the others' words.</para>
/// </remarks>
internal sealed class RoundBatch : IRecordBatch
{
    private readonly IGuestMemory _memory;
    private readonly DirtyPageBitmap _pages;
    private readonly PageAffinity _affinity;
    private readonly PageDigest _digest;
    private readonly long _chunkCount;
    private readonly byte[] _zeroPayload = new byte[PrecopyRecords.ZeroPagesPayload];
    private long _chunk;
    private long _cursor;
    private long _chunkEnd;
    private long _runNext;
    private long _runEnd;

    public RoundBatch(IGuestMemory memory, DirtyPageBitmap pages, PageAffinity affinity, int stripe, PageDigest digest)
    {
        _memory = memory;
        _pages = pages;
        _affinity = affinity;
        _digest = digest;
        _chunkCount = affinity.ChunkCount(pages.PageCount);
        _chunk = stripe - affinity.StripeCount; // the first NextChunk moves to chunk `stripe`
    }

    /// <summary>Pages sent with their data.</summary>
    public long DataPages { get; private set; }

    /// <summary>Pages sent as zero runs.</summary>
    public long ZeroPages { get; private set; }

    /// <summary>Chunks of memory this batch has looked at in the set (this stripe's, up to the one it is in).</summary>
    public long ChunksVisited { get; private set; }

    public bool TryGetNext(out OutgoingRecord record)
    {
        if (_runNext >= _runEnd && !NextRun())
        {
            record = default;
            return false;
        }

        record = NextRecord();
        return true;
    }

    public ReadOnlySpan<byte> GetPayload(in OutgoingRecord record) =>
        record.Type == RecordType.Control ? _zeroPayload : _memory.GetPages(record.Label / _memory.PageSize, record.Length / _memory.PageSize);

    /// <summary>Moves to the next run of set pages in this stripe's chunks; a run never crosses a chunk's border.</summary>
    private bool NextRun()
    {
        ReadOnlySpan<ulong> words = _pages.Words;
        while (true)
        {
            long start = PageBits.FindNext(words, _cursor, _chunkEnd, set: true);
            if (start < _chunkEnd)
            {
                _runNext = start;
                _runEnd = PageBits.FindNext(words, start, _chunkEnd, set: false);
                _cursor = _runEnd;
                return true;
            }

            _chunk += _affinity.StripeCount;
            if (_chunk >= _chunkCount)
            {
                _cursor = _chunkEnd;
                return false;
            }

            ChunksVisited++;
            _cursor = _chunk * _affinity.ChunkPages;
            _chunkEnd = Math.Min(_pages.PageCount, _cursor + _affinity.ChunkPages);
        }
    }

    /// <summary>The longest prefix of the current run that is all zero or all non-zero and fits one record, already in the digest.</summary>
    private OutgoingRecord NextRecord()
    {
        int pageSize = _memory.PageSize;
        long first = _runNext;
        int limit = (int)Math.Min(_runEnd - first, _affinity.RecordPages);
        int count = _digest.UpdateLeadingRun(first, _memory.GetPages(first, limit), out bool zero);
        _runNext = first + count;
        if (zero)
        {
            ZeroPages += count;
            BinaryPrimitives.WriteInt32BigEndian(_zeroPayload, count);
            return new OutgoingRecord(RecordType.Control, first * pageSize, PrecopyRecords.ZeroPagesPayload, (byte)PrecopyRecordKind.ZeroPages);
        }

        DataPages += count;
        return new OutgoingRecord(RecordType.Data, first * pageSize, count * pageSize, (byte)PrecopyRecordKind.Pages);
    }
}
