namespace KernelZones.Samples.SenderHost.Guests;

/// <summary>What runs a zone on this host: <c>--guest sim</c> or <c>--guest kvm</c>.</summary>
internal enum GuestKind
{
    /// <summary>A simulated guest in this process's memory (<see cref="SimulatedGuest"/>).</summary>
    Sim,

    /// <summary>A KVM virtual machine (<see cref="KvmZoneGuest"/>).</summary>
    Kvm,
}
