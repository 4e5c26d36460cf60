namespace KernelZones.Migration.Guests;

public sealed partial class DirtyPageBitmap
{
    /// <summary>Enumerates the runs of set pages of a <see cref="DirtyPageBitmap"/>; see <see cref="EnumerateRuns"/>.</summary>
    /// <remarks>A mutable struct enumerator, as <see cref="Span{T}.Enumerator"/> is: use it once, with <c>foreach</c>.</remarks>
    internal struct RunEnumerator
    {
        private readonly ulong[] _words;
        private readonly long _pageCount;
        private readonly int _maxRunPages;
        private long _next;

        internal RunEnumerator(DirtyPageBitmap bitmap, int maxRunPages)
        {
            _words = bitmap._words;
            _pageCount = bitmap.PageCount;
            _maxRunPages = maxRunPages;
            _next = 0;
            Current = default;
        }

        /// <summary>The current run.</summary>
        public PageRun Current { get; private set; }

        /// <summary>Returns this enumerator, so that <see cref="EnumerateRuns"/> can be used in <c>foreach</c>.</summary>
        /// <returns>This enumerator.</returns>
        public readonly RunEnumerator GetEnumerator() => this;

        /// <summary>Advances to the next run.</summary>
        /// <returns><see langword="false"/> when there are no more runs.</returns>
        public bool MoveNext()
        {
            long start = PageBits.FindNext(_words, _next, _pageCount, set: true);
            if (start >= _pageCount)
            {
                _next = _pageCount;
                return false;
            }

            long limit = Math.Min(_pageCount, start + _maxRunPages);
            long end = PageBits.FindNext(_words, start, limit, set: false);
            Current = new PageRun(start, (int)(end - start));
            _next = end;
            return true;
        }
    }
}
