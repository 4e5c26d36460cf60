using KernelZones.Migration.Guests;
namespace KernelZones.Migration.Simulation;

/// <summary>
/// A simulated guest that lives in this process: memory from the operating system (safe beyond 4 GiB), vCPUs that stop the
/// attached <see cref="GuestWorkload"/>s, and a device-state blob. Used by tests, samples and benchmarks.
/// </summary>
/// <remarks>Thread-safety: every member may be called from any thread; <see cref="Dispose"/> stops the attached
/// workloads first, and must not race other users of the memory.</remarks>
public sealed class InMemoryGuest : IGuest, IDisposable
{
    private readonly List<GuestWorkload> _workloads = [];

    /// <summary>Creates a guest with zero-filled memory.</summary>
    /// <param name="memorySize">Memory size in bytes: a positive multiple of <paramref name="pageSize"/>.</param>
    /// <param name="pageSize">Page size in bytes: a power of two from 512 to 4 MiB; default 4096.</param>
    /// <param name="populate">
    /// Whether to back all of the memory with RAM from now on, in the background, rather than on first touch; default
    /// <see langword="false"/>. <see cref="InMemoryGuestMemory.Populated"/> completes when it is done (see <see cref="InMemoryGuestMemory(long, int, bool)"/>).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public InMemoryGuest(long memorySize, int pageSize = InMemoryGuestMemory.DefaultPageSize, bool populate = false)
    {
        Memory = new InMemoryGuestMemory(memorySize, pageSize, populate);
    }

    /// <summary>The guest's memory, with write and fill methods that mark pages dirty.</summary>
    public InMemoryGuestMemory Memory { get; }

    /// <summary>The guest's vCPUs; also its throttle.</summary>
    public InMemoryVirtualCpus Cpus { get; } = new();

    /// <summary>The guest's device state.</summary>
    public InMemoryDeviceState Devices { get; } = new();

    IGuestMemory IGuest.Memory => Memory;

    IVirtualCpus IGuest.Cpus => Cpus;

    IDeviceState IGuest.Devices => Devices;

    /// <summary>The throttle: the same object as <see cref="Cpus"/>.</summary>
    public IGuestThrottle Throttle => Cpus;

    IGuestThrottle? IGuest.Throttle => Cpus;

    /// <summary>Stops the attached workloads and a population still running, then frees the memory. Idempotent.</summary>
    public void Dispose()
    {
        GuestWorkload[] workloads;
        lock (_workloads)
        {
            workloads = [.. _workloads];
            _workloads.Clear();
        }

        foreach (GuestWorkload workload in workloads)
        {
            workload.Stop();
        }

        Memory.Dispose();
    }

    internal void Attach(GuestWorkload workload)
    {
        lock (_workloads)
        {
            _workloads.Add(workload);
        }
    }
}
