using System.Buffers.Binary;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Precopy;

/// <summary>
/// One stripe's share of one pre-copy round: the pages of the round's set that fall in this stripe's chunks,
/// as data records read straight from guest memory, and runs of all-zero pages as data-less control records.
/// The source digest is updated from the very bytes that are sealed.
/// </summary>
internal sealed class RoundBatch : IRecordBatch
{
    private readonly IGuestMemory _memory;
    private readonly DirtyPageBitmap _pages;
    private readonly PageAffinity _affinity;
    private readonly int _stripe;
    private readonly PageDigest _digest;
    private readonly byte[] _zeroPayload = new byte[PrecopyRecords.ZeroPagesPayload];
    private DirtyPageBitmap.RunEnumerator _runs;
    private long _runNext;
    private long _runEnd;
    private long _pending;
    private long _pendingEnd;

    public RoundBatch(IGuestMemory memory, DirtyPageBitmap pages, PageAffinity affinity, int stripe, PageDigest digest)
    {
        _memory = memory;
        _pages = pages;
        _affinity = affinity;
        _stripe = stripe;
        _digest = digest;
        _runs = pages.EnumerateRuns(affinity.ChunkPages);
    }

    /// <summary>Pages sent with their data.</summary>
    public long DataPages { get; private set; }

    /// <summary>Pages sent as zero runs.</summary>
    public long ZeroPages { get; private set; }

    public bool TryGetNext(out OutgoingRecord record)
    {
        while (_runNext >= _runEnd)
        {
            if (!NextRunOfThisStripe())
            {
                record = default;
                return false;
            }
        }

        record = NextRecord();
        return true;
    }

    public ReadOnlySpan<byte> GetPayload(in OutgoingRecord record)
    {
        long firstPage = record.Position / _memory.PageSize;
        if (record.Type == RecordType.Control)
        {
            return _zeroPayload;
        }

        ReadOnlySpan<byte> pages = _memory.GetPages(firstPage, record.Length / _memory.PageSize);
        _digest.UpdatePages(firstPage, pages);
        return pages;
    }

    /// <summary>Moves to the next piece of the set that lies in one chunk of this stripe; a run that spans chunks is split at their borders.</summary>
    private bool NextRunOfThisStripe()
    {
        while (true)
        {
            while (_pending < _pendingEnd)
            {
                long page = _pending;
                long chunkEnd = Math.Min(_pendingEnd, _affinity.ChunkEnd(page));
                _pending = chunkEnd;
                if (_affinity.StripeOf(page) == _stripe)
                {
                    _runNext = page;
                    _runEnd = chunkEnd;
                    return true;
                }
            }

            if (!_runs.MoveNext())
            {
                return false;
            }

            _pending = _runs.Current.FirstPage;
            _pendingEnd = _runs.Current.EndPage;
        }
    }

    /// <summary>The longest prefix of the current run that is all zero or all non-zero (and fits one record).</summary>
    private OutgoingRecord NextRecord()
    {
        int pageSize = _memory.PageSize;
        long first = _runNext;
        int limit = (int)Math.Min(_runEnd - first, _affinity.RecordPages);
        ReadOnlySpan<byte> pages = _memory.GetPages(first, limit);
        bool zero = PageScan.IsZeroPage(pages, 0, pageSize);
        int count = 1;
        while (count < limit && PageScan.IsZeroPage(pages, count, pageSize) == zero)
        {
            count++;
        }

        _runNext = first + count;
        if (zero)
        {
            ZeroPages += count;
            _digest.UpdateZeroPages(first, count);
            BinaryPrimitives.WriteInt32BigEndian(_zeroPayload, count);
            return new OutgoingRecord(RecordType.Control, first * pageSize, PrecopyRecords.ZeroPagesPayload, PrecopyRecords.ZeroPages);
        }

        DataPages += count;
        return new OutgoingRecord(RecordType.Data, first * pageSize, count * pageSize, PrecopyRecords.Pages);
    }
}
