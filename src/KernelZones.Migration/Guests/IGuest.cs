namespace KernelZones.Migration.Guests;

/// <summary>What a zone runs on: its memory, vCPUs and device state, as a hypervisor provides them.</summary>
/// <remarks>Thread-safety: the properties return the same instances for the guest's lifetime and may be read from any thread.</remarks>
public interface IGuest
{
    /// <summary>The guest's memory.</summary>
    IGuestMemory Memory { get; }

    /// <summary>The guest's virtual CPUs.</summary>
    IVirtualCpus Cpus { get; }

    /// <summary>The guest's CPU and device state.</summary>
    IDeviceState Devices { get; }

    /// <summary>The auto-converge hook, or <see langword="null"/> when the guest cannot be throttled.</summary>
    IGuestThrottle? Throttle { get; }
}
