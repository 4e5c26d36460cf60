namespace KernelZones.Migration.Kvm;

/// <summary>The guest stopped for good: it halted with interrupts off, shut down (a triple fault), or KVM could not run it.</summary>
/// <remarks>The message holds the exit reason and the vCPU's registers at the exit.</remarks>
public sealed class KvmGuestFaultException : KvmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="exitReason">The KVM exit, for example <c>shutdown (triple fault)</c>.</param>
    /// <param name="cpu">The vCPU's index.</param>
    /// <param name="registers">The vCPU's registers, formatted; empty if they could not be read.</param>
    public KvmGuestFaultException(string exitReason, int cpu, string registers)
        : base($"The guest stopped on vCPU {cpu}: {exitReason}. Registers: {registers}")
    {
        ExitReason = exitReason;
        Cpu = cpu;
        Registers = registers;
    }

    /// <summary>The KVM exit that stopped the guest, for example <c>shutdown (triple fault)</c>.</summary>
    public string ExitReason { get; }

    /// <summary>The index of the vCPU that stopped.</summary>
    public int Cpu { get; }

    /// <summary>The vCPU's general, segment and control registers at the exit, formatted.</summary>
    public string Registers { get; }
}
