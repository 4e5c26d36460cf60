namespace KernelZones.Samples.ReceiverHost;

/// <summary>What a received zone runs on (<c>--guest</c>).</summary>
internal enum GuestKind
{
    /// <summary>A simulated guest: the memory that crosses the wire, held in this process.</summary>
    Sim,

    /// <summary>A KVM virtual machine running the guest program the source's KVM guest ran.</summary>
    Kvm,
}
