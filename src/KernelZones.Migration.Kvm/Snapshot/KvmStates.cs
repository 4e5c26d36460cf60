using KernelZones.Migration.Kvm.Interop;

namespace KernelZones.Migration.Kvm.Snapshot;

/// <summary>One vCPU's state as KVM hands it out: the kernel's structures, kept byte for byte.</summary>
internal sealed class VcpuState
{
    public KvmRegs Regs;
    public KvmSregs Sregs;

    /// <summary><c>struct kvm_xsave</c> (4096 bytes) when the host has KVM_CAP_XSAVE, otherwise <c>struct kvm_fpu</c> (416 bytes).</summary>
    public byte[] FloatingPoint = [];

    public bool FloatingPointIsXsave;

    /// <summary><c>struct kvm_xcrs</c> (392 bytes), or empty without KVM_CAP_XCRS.</summary>
    public byte[] Xcrs = [];

    public byte[] DebugRegs = [];
    public byte[] Lapic = [];
    public KvmMsrEntry[] Msrs = [];
    public byte[] Events = [];
    public byte[] MpState = [];
    public KvmCpuidEntry2[] Cpuid = [];
}

/// <summary>The VM-wide state: the in-kernel PIC pair, IOAPIC and PIT, kvmclock, and the monitor's UART.</summary>
internal sealed class VmState
{
    public byte[] PicMaster = [];
    public byte[] PicSlave = [];
    public byte[] Ioapic = [];
    public byte[] Pit = [];
    public KvmClockData Clock;
    public byte[] Serial = [];
}

/// <summary>A whole machine's state: what <see cref="KvmStateFormat"/> writes and reads.</summary>
internal sealed class MachineState
{
    public MachineState(long memorySize, VmState vm, VcpuState[] vcpus)
    {
        MemorySize = memorySize;
        Vm = vm;
        Vcpus = vcpus;
    }

    public long MemorySize { get; }

    public VmState Vm { get; }

    public VcpuState[] Vcpus { get; }
}
