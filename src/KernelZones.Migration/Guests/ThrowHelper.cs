
namespace KernelZones.Migration.Guests;

/// <summary>Throw sites kept out of hot guest-memory methods so that those stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowPageOutOfRange(long page, long pageCount) =>
        throw new ArgumentOutOfRangeException(nameof(page), page, $"Page {page} is outside the guest's {pageCount} pages.");

    [DoesNotReturn]
    public static void ThrowRunOutOfRange(long firstPage, int pageCount, long totalPages, int maxPages) =>
        throw new ArgumentOutOfRangeException(
            nameof(pageCount),
            $"The run of {pageCount} pages at page {firstPage} is not a run of 1 to {maxPages} pages inside the guest's {totalPages} pages.");

    [DoesNotReturn]
    public static void ThrowObjectDisposed(string typeName) => throw new ObjectDisposedException(typeName);
}
