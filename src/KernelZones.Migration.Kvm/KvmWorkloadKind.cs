namespace KernelZones.Migration.Kvm;

/// <summary>What the guest program does between heartbeats.</summary>
public enum KvmWorkloadKind
{
    /// <summary>Halts between timer ticks; dirties only its own status page and the line buffer.</summary>
    Idle = 0,

    /// <summary>Writes a verifiable pattern over a working set at a set rate and re-verifies it.</summary>
    Dirty = 1,

    /// <summary>Executes <c>ud2</c> with no IDT gate for #UD, which triple-faults the vCPU: a test of the monitor's fault path.</summary>
    TripleFault = 2,
}
