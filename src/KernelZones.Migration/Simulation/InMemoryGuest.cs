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
    /// Whether to back all of the memory with RAM from now on, in the background (one thread per CPU), rather than on
    /// first touch, as a kernel zone's memory is reserved when it boots; default <see langword="false"/>. A destination
    /// waits for it before the first page arrives, so that the page faults do not compete with the transfer.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public InMemoryGuest(long memorySize, int pageSize = InMemoryGuestMemory.DefaultPageSize, bool populate = false)
    {
        SimulatedMemory = new InMemoryGuestMemory(memorySize, pageSize, populate);
    }

    /// <summary>The guest's memory: from the operating system, zero-filled, safe beyond 4 GiB.</summary>
    public IGuestMemory Memory => SimulatedMemory;

    /// <summary>The guest's vCPUs: suspending them stops the attached <see cref="GuestWorkload"/>s.</summary>
    public IVirtualCpus Cpus => SimulatedCpus;

    /// <summary>The guest's device state: a blob of random bytes, captured and restored whole.</summary>
    public IDeviceState Devices => SimulatedDevices;

    /// <summary>The throttle, which slows the attached <see cref="GuestWorkload"/>s down.</summary>
    public IGuestThrottle Throttle => SimulatedCpus;

    /// <summary>The memory, with the writes the simulation and the tests make.</summary>
    internal InMemoryGuestMemory SimulatedMemory { get; }

    /// <summary>The vCPU gate the workloads pass through.</summary>
    internal InMemoryVirtualCpus SimulatedCpus { get; } = new();

    /// <summary>The device-state blob.</summary>
    internal InMemoryDeviceState SimulatedDevices { get; } = new();

    /// <summary>
    /// Writes pseudo-random (incompressible) bytes determined by <paramref name="seed"/> into the guest's memory, as a
    /// guest program would, and marks the pages dirty: the same seed, offset and length give the same bytes.
    /// </summary>
    /// <param name="offset">Byte offset in guest memory.</param>
    /// <param name="length">Number of bytes; the range must lie inside the memory.</param>
    /// <param name="seed">Seed of the generator.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the memory.</exception>
    /// <remarks>Thread-safety: may be called from any thread, also while a <see cref="GuestWorkload"/> runs.</remarks>
    public void FillRandom(long offset, long length, int seed) => SimulatedMemory.FillRandom(offset, length, seed);

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

        SimulatedMemory.Dispose();
    }

    internal void Attach(GuestWorkload workload)
    {
        lock (_workloads)
        {
            _workloads.Add(workload);
        }
    }
}
