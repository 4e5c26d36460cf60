namespace KernelZones.Migration.Guests;

/// <summary>A run of consecutive pages.</summary>
/// <param name="FirstPage">Page number of the first page, 0-based.</param>
/// <param name="PageCount">Number of pages, at least 1.</param>
internal readonly record struct PageRun(long FirstPage, int PageCount)
{
    /// <summary>Page number just past the run.</summary>
    public long EndPage => FirstPage + PageCount;
}
