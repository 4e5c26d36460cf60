using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation;

namespace KernelZones.Migration.Tests.Engine;

/// <summary>
/// An in-memory guest that dirties a page before every dirty-page collection while it is not suspended and runs at
/// <c>quietBelow</c> of its speed or more: it dirties faster than any link, whatever the machine's load, which a
/// workload thread cannot promise. Its throttle records the engine's calls and forwards them to the guest's.
/// </summary>
internal sealed class RestlessGuest(InMemoryGuest guest, double quietBelow) : IGuest, IGuestThrottle, IGuestMemory
{
    private static readonly byte[] s_write = [1, 2, 3, 4];
    private long _writes;

    public List<double> Fractions { get; } = [];

    public IGuestMemory Memory => this;

    public IVirtualCpus Cpus => guest.Cpus;

    public IDeviceState Devices => guest.Devices;

    public IGuestThrottle Throttle => this;

    public double RunFraction => guest.Throttle.RunFraction;

    public long Size => guest.Memory.Size;

    public int PageSize => guest.Memory.PageSize;

    public long PageCount => guest.Memory.PageCount;

    public bool IsDirtyTracking => guest.Memory.IsDirtyTracking;

    public void SetRunFraction(double fraction)
    {
        Fractions.Add(fraction);
        guest.Throttle.SetRunFraction(fraction);
    }

    public long CollectDirtyPages(DirtyPageBitmap destination)
    {
        if (RunFraction >= quietBelow && !guest.Cpus.IsSuspended)
        {
            long page = _writes++ % PageCount;
            guest.SimulatedMemory.Write(page * PageSize, s_write);
        }

        return guest.Memory.CollectDirtyPages(destination);
    }

    public ReadOnlySpan<byte> GetPages(long firstPage, int pageCount) => guest.Memory.GetPages(firstPage, pageCount);

    public Span<byte> GetWritablePages(long firstPage, int pageCount) => guest.Memory.GetWritablePages(firstPage, pageCount);

    public void StartDirtyTracking() => guest.Memory.StartDirtyTracking();

    public void StopDirtyTracking() => guest.Memory.StopDirtyTracking();
}
