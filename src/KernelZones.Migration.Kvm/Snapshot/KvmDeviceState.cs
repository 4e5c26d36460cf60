using KernelZones.Migration.Kvm.Devices;
using KernelZones.Migration.Kvm.Interop;
using KernelZones.Migration.Kvm.VState;

namespace KernelZones.Migration.Kvm.Snapshot;

/// <summary>Captures and restores the CPU and device state of a suspended guest in <see cref="KvmStateFormat"/>.</summary>
/// <remarks>Thread-safety: as <see cref="IDeviceState"/> states — only while the vCPUs are suspended, one call at a time.</remarks>
internal sealed class KvmDeviceState : IDeviceState
{
    private readonly KvmVm _vm;
    private readonly KvmVirtualCpus _cpus;
    private readonly Serial16550 _serial;
    private readonly long _memorySize;
    private readonly bool _hasXsave;
    private readonly bool _hasXcrs;
    private readonly uint[] _msrIndices;
    private readonly KvmCpuFeatures _hostFeatures;
    private byte[] _lastCapture = [];

    public KvmDeviceState(KvmSystem system, KvmVm vm, KvmVirtualCpus cpus, Serial16550 serial, long memorySize)
    {
        _vm = vm;
        _cpus = cpus;
        _serial = serial;
        _memorySize = memorySize;
        _hasXsave = system.HasCapability(KvmIoctl.CapXsave);
        _hasXcrs = system.HasCapability(KvmIoctl.CapXcrs);
        _msrIndices = system.GetMsrIndexList().Where(IsSnapshotMsr).ToArray();
        // Read back from a vCPU given the supported table, as captures read it (KVM_GET_CPUID2): on this nested host that
        // reports more bits than KVM_GET_SUPPORTED_CPUID, and source and destination must be compared the same way.
        _hostFeatures = KvmCpuFeatures.From(cpus.Threads[0].Vcpu.GetCpuid());
    }

    /// <summary>The CPUID features this host's KVM gives a guest, as a vCPU created here reports them before any restore.</summary>
    public KvmCpuFeatures HostFeatures => _hostFeatures;

    public string Format => KvmStateFormat.Name;

    public ReadOnlyMemory<byte> Capture()
    {
        RequireSuspended();
        var vm = new VmState
        {
            PicMaster = new byte[KvmSizes.Irqchip],
            PicSlave = new byte[KvmSizes.Irqchip],
            Ioapic = new byte[KvmSizes.Irqchip],
            Pit = new byte[KvmSizes.Pit2],
            Clock = _vm.GetClock(),
            Serial = _serial.SaveState(),
        };
        _vm.GetIrqchip(KvmIoctl.ChipPicMaster, vm.PicMaster);
        _vm.GetIrqchip(KvmIoctl.ChipPicSlave, vm.PicSlave);
        _vm.GetIrqchip(KvmIoctl.ChipIoapic, vm.Ioapic);
        _vm.GetPit2(vm.Pit);

        VcpuState[] vcpus = _cpus.Threads.Select(t => CaptureVcpu(t.Vcpu)).ToArray();
        _lastCapture = KvmStateFormat.Write(new MachineState(_memorySize, vm, vcpus));
        return _lastCapture;
    }

    public void Restore(ReadOnlySpan<byte> state)
    {
        // Everything is parsed and checked first: a bad blob leaves the guest untouched.
        MachineState machine = KvmStateFormat.Read(state, _cpus.Threads.Count, _memorySize);
        RequireSuspended();
        RequireFeatures(machine);

        // VM-wide devices first, so that the LAPICs restored below find their interrupt sources in place:
        // PIC master and slave, then the IOAPIC, then the PIT (whose output drives IRQ 0), then kvmclock.
        _vm.SetIrqchip(machine.Vm.PicMaster);
        _vm.SetIrqchip(machine.Vm.PicSlave);
        _vm.SetIrqchip(machine.Vm.Ioapic);
        _vm.SetPit2(machine.Vm.Pit);
        KvmClockData clock = machine.Vm.Clock;
        clock.Flags = 0; // KVM_SET_CLOCK sets the clock to this value; the capture-time flags describe the source host.
        _vm.SetClock(clock);
        _serial.RestoreState(machine.Vm.Serial);

        for (int i = 0; i < machine.Vcpus.Length; i++)
        {
            RestoreVcpu(_cpus.Threads[i].Vcpu, machine.Vcpus[i]);
        }
    }

    private VcpuState CaptureVcpu(KvmVcpu vcpu)
    {
        var state = new VcpuState
        {
            Cpuid = vcpu.GetCpuid(),
            MpState = vcpu.GetBlob(KvmIoctl.GetMpState, KvmSizes.MpState, "KVM_GET_MP_STATE"),
            Regs = vcpu.GetRegs(),
            Sregs = vcpu.GetSregs(),
            FloatingPointIsXsave = _hasXsave,
            FloatingPoint = _hasXsave
                ? vcpu.GetBlob(KvmIoctl.GetXsave, KvmSizes.Xsave, "KVM_GET_XSAVE")
                : vcpu.GetBlob(KvmIoctl.GetFpu, KvmSizes.Fpu, "KVM_GET_FPU"),
            Xcrs = _hasXcrs ? vcpu.GetBlob(KvmIoctl.GetXcrs, KvmSizes.Xcrs, "KVM_GET_XCRS") : [],
            DebugRegs = vcpu.GetBlob(KvmIoctl.GetDebugRegs, KvmSizes.DebugRegs, "KVM_GET_DEBUGREGS"),
            Lapic = vcpu.GetBlob(KvmIoctl.GetLapic, KvmSizes.Lapic, "KVM_GET_LAPIC"),
            Msrs = ReadMsrs(vcpu),
            Events = vcpu.GetBlob(KvmIoctl.GetVcpuEvents, KvmSizes.VcpuEvents, "KVM_GET_VCPU_EVENTS"),
        };
        return state;
    }

    /// <summary>
    /// Restores one vCPU in the order KVM requires:
    /// CPUID first (KVM checks MSR writes and XSAVE features against it);
    /// sregs before regs (CR0/EFER decide the mode in which RIP and RFLAGS are taken; sregs also carry the APIC base);
    /// XSAVE (or FPU) and XCRs, then debug registers;
    /// LAPIC after sregs (the APIC base MSR in sregs enables it) and before MSRs (TSC_DEADLINE needs the LAPIC's timer mode);
    /// MSRs (the TSC among them); MP state; vCPU events last (pending exceptions, NMIs and interrupt shadow apply to the
    /// registers restored above and would be lost if a later call reset them).
    /// </summary>
    private static void RestoreVcpu(KvmVcpu vcpu, VcpuState state)
    {
        vcpu.SetCpuid(state.Cpuid);
        vcpu.SetSregs(state.Sregs);
        vcpu.SetRegs(state.Regs);
        if (state.FloatingPointIsXsave)
        {
            vcpu.SetBlob(KvmIoctl.SetXsave, state.FloatingPoint, KvmSizes.Xsave, "KVM_SET_XSAVE");
        }
        else
        {
            vcpu.SetBlob(KvmIoctl.SetFpu, state.FloatingPoint, KvmSizes.Fpu, "KVM_SET_FPU");
        }

        if (state.Xcrs.Length > 0)
        {
            vcpu.SetBlob(KvmIoctl.SetXcrs, state.Xcrs, KvmSizes.Xcrs, "KVM_SET_XCRS");
        }

        vcpu.SetBlob(KvmIoctl.SetDebugRegs, state.DebugRegs, KvmSizes.DebugRegs, "KVM_SET_DEBUGREGS");
        vcpu.SetBlob(KvmIoctl.SetLapic, state.Lapic, KvmSizes.Lapic, "KVM_SET_LAPIC");
        vcpu.SetMsrs(state.Msrs);
        vcpu.SetBlob(KvmIoctl.SetMpState, state.MpState, KvmSizes.MpState, "KVM_SET_MP_STATE");
        vcpu.SetBlob(KvmIoctl.SetVcpuEvents, state.Events, KvmSizes.VcpuEvents, "KVM_SET_VCPU_EVENTS");
    }

    /// <summary>Reads the snapshot MSRs; KVM stops at the first it cannot read on this vCPU, which is then left out.</summary>
    private KvmMsrEntry[] ReadMsrs(KvmVcpu vcpu)
    {
        var msrs = new List<KvmMsrEntry>(_msrIndices.Length);
        ReadOnlySpan<uint> remaining = _msrIndices;
        while (!remaining.IsEmpty)
        {
            KvmMsrEntry[] read = vcpu.GetMsrs(remaining);
            msrs.AddRange(read);
            remaining = remaining[Math.Min(read.Length + 1, remaining.Length)..];
        }

        return [.. msrs];
    }

    /// <summary>
    /// Refuses a state whose vCPUs were started with a CPUID feature this host's KVM does not offer: KVM_SET_CPUID2 would
    /// take it, and the guest would fault on the first such instruction after the resume.
    /// </summary>
    private void RequireFeatures(MachineState machine)
    {
        for (int i = 0; i < machine.Vcpus.Length; i++)
        {
            if (KvmCpuFeatures.From(machine.Vcpus[i].Cpuid).MissingFrom(_hostFeatures) is { } missing)
            {
                throw new ArgumentException($"The KVM state cannot be restored: vCPU {i} was started with CPUID features this host's KVM does not offer ({missing}). Nothing was applied.");
            }
        }
    }

    private void RequireSuspended()
    {
        if (!_cpus.IsSuspended)
        {
            throw new InvalidOperationException("The guest's state can be captured or restored only while its vCPUs are suspended.");
        }
    }

    /// <summary>
    /// The MSRs a snapshot needs: architectural state the guest can set and KVM does not carry in sregs (EFER and the
    /// APIC base are there): TSC and TSC_ADJUST, SYSENTER, MISC_ENABLE, PAT, the MTRRs, TSC_DEADLINE, the syscall MSRs,
    /// KERNEL_GS_BASE, TSC_AUX and KVM's paravirtual MSRs. Performance counters and host-specific MSRs are left out.
    /// </summary>
    private static bool IsSnapshotMsr(uint index) => index switch
    {
        0x10 or 0x3B => true,                          // TSC, TSC_ADJUST
        >= 0x174 and <= 0x176 => true,                 // SYSENTER_CS/ESP/EIP
        0x1A0 or 0x277 or 0x2FF or 0x6E0 => true,      // MISC_ENABLE, PAT, MTRR_DEF_TYPE, TSC_DEADLINE
        >= 0x200 and <= 0x20F => true,                 // variable MTRRs
        0x250 or 0x258 or 0x259 => true,               // fixed MTRRs
        >= 0x268 and <= 0x26F => true,
        >= 0xC000_0081 and <= 0xC000_0084 => true,     // STAR, LSTAR, CSTAR, SFMASK
        0xC000_0102 or 0xC000_0103 => true,            // KERNEL_GS_BASE, TSC_AUX
        0x11 or 0x12 => true,                          // KVM wall clock and system time (old numbers)
        >= 0x4B56_4D00 and <= 0x4B56_4D07 => true,     // KVM paravirtual MSRs
        _ => false,
    };
}
