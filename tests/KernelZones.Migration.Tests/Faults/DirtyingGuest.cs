using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>
/// An in-memory guest whose "workload" rewrites a few pages with their own contents just before each pre-copy
/// collection while it runs: every round after round 0 then has pages to send, yet the guest's memory never
/// changes, so its digest at the start is the one it must still have after a rollback.
/// </summary>
internal sealed class DirtyingGuest(InMemoryGuest inner, long[] pages) : IGuest
{
    private readonly DirtyingMemory _memory = new(inner, pages);

    public IGuestMemory Memory => _memory;

    public IVirtualCpus Cpus => inner.Cpus;

    public IDeviceState Devices => inner.Devices;

    public IGuestThrottle? Throttle => inner.Throttle;

    private sealed class DirtyingMemory(InMemoryGuest guest, long[] pages) : IGuestMemory
    {
        private readonly InMemoryGuestMemory _inner = guest.SimulatedMemory;

        public long Size => _inner.Size;

        public int PageSize => _inner.PageSize;

        public long PageCount => _inner.PageCount;

        public bool IsDirtyTracking => _inner.IsDirtyTracking;

        public ReadOnlySpan<byte> GetPages(long firstPage, int pageCount) => _inner.GetPages(firstPage, pageCount);

        public Span<byte> GetWritablePages(long firstPage, int pageCount) => _inner.GetWritablePages(firstPage, pageCount);

        public void StartDirtyTracking() => _inner.StartDirtyTracking();

        public void StopDirtyTracking() => _inner.StopDirtyTracking();

        public long CollectDirtyPages(DirtyPageBitmap destination)
        {
            if (!guest.Cpus.IsSuspended)
            {
                foreach (long page in pages)
                {
                    _inner.Write(page * PageSize, _inner.GetPages(page, 1).ToArray());
                }
            }

            return _inner.CollectDirtyPages(destination);
        }
    }
}
