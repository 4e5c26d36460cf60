using KernelZones.Migration.Kvm.Interop;

namespace KernelZones.Migration.Kvm.VState;

/// <summary>A VM file descriptor: memory slots, the in-kernel PIC pair, IOAPIC and PIT, the dirty log, IRQ lines and kvmclock.</summary>
/// <remarks>Every VM ioctl the monitor makes is wrapped here once, its errno turned into a <see cref="KvmException"/>.</remarks>
internal sealed unsafe class KvmVm : IDisposable
{
    // Intel VMX needs three pages for the real-mode TSS below 4 GiB, outside guest RAM (the address kvmtool and QEMU use).
    public const ulong TssAddress = 0xFFFB_D000;

    private int _fd;

    public KvmVm(KvmSystem system)
    {
        _fd = system.CreateVm();
    }

    public int Fd => _fd;

    /// <summary>Creates the in-kernel PIC pair, IOAPIC and LAPICs, then the PIT; KVM requires this before the first vCPU.</summary>
    public void CreateInterruptControllers()
    {
        KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.SetTssAddr, unchecked((nint)TssAddress)), "KVM_SET_TSS_ADDR");
        KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.CreateIrqchip, 0), "KVM_CREATE_IRQCHIP");
        var config = new KvmPitConfig { Flags = KvmIoctl.PitSpeakerDummy };
        KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.CreatePit2, &config), "KVM_CREATE_PIT2");
    }

    /// <summary>Registers (or re-registers with new flags) a memory slot.</summary>
    public void SetMemoryRegion(uint slot, ulong guestAddress, ulong size, nint hostAddress, bool logDirtyPages)
    {
        var region = new KvmUserspaceMemoryRegion
        {
            Slot = slot,
            Flags = logDirtyPages ? KvmIoctl.MemLogDirtyPages : 0,
            GuestPhysAddr = guestAddress,
            MemorySize = size,
            UserspaceAddr = (ulong)hostAddress,
        };
        KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.SetUserMemoryRegion, &region), "KVM_SET_USER_MEMORY_REGION");
    }

    /// <summary>Copies the slot's dirty log into <paramref name="bitmap"/> and clears it in the kernel (KVM_GET_DIRTY_LOG).</summary>
    public void GetDirtyLog(uint slot, Span<ulong> bitmap)
    {
        fixed (ulong* words = bitmap)
        {
            var log = new KvmDirtyLog { Slot = slot, DirtyBitmap = (nint)words };
            KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.GetDirtyLog, &log), "KVM_GET_DIRTY_LOG");
        }
    }

    /// <summary>Drives an ISA interrupt line of the in-kernel PIC/IOAPIC (KVM_IRQ_LINE).</summary>
    public void SetIrqLine(uint irq, bool high)
    {
        var level = new KvmIrqLevel { Irq = irq, Level = high ? 1u : 0u };
        KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.IrqLine, &level), "KVM_IRQ_LINE");
    }

    /// <summary>Reads one in-kernel interrupt controller (<c>struct kvm_irqchip</c>, 520 bytes) into <paramref name="chip"/>.</summary>
    public void GetIrqchip(int chipId, Span<byte> chip)
    {
        CheckLength(chip.Length, KvmSizes.Irqchip, "kvm_irqchip");
        chip.Clear();
        fixed (byte* buffer = chip)
        {
            *(uint*)buffer = (uint)chipId;
            KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.GetIrqchip, buffer), "KVM_GET_IRQCHIP");
        }
    }

    public void SetIrqchip(ReadOnlySpan<byte> chip)
    {
        CheckLength(chip.Length, KvmSizes.Irqchip, "kvm_irqchip");
        fixed (byte* buffer = chip)
        {
            KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.SetIrqchip, buffer), "KVM_SET_IRQCHIP");
        }
    }

    public void GetPit2(Span<byte> pit)
    {
        CheckLength(pit.Length, KvmSizes.Pit2, "kvm_pit_state2");
        fixed (byte* buffer = pit)
        {
            KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.GetPit2, buffer), "KVM_GET_PIT2");
        }
    }

    public void SetPit2(ReadOnlySpan<byte> pit)
    {
        CheckLength(pit.Length, KvmSizes.Pit2, "kvm_pit_state2");
        fixed (byte* buffer = pit)
        {
            KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.SetPit2, buffer), "KVM_SET_PIT2");
        }
    }

    public KvmClockData GetClock()
    {
        KvmClockData clock;
        KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.GetClock, &clock), "KVM_GET_CLOCK");
        return clock;
    }

    public void SetClock(KvmClockData clock)
    {
        KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.SetClock, &clock), "KVM_SET_CLOCK");
    }

    public int CreateVcpu(int index) => KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.CreateVcpu, index), "KVM_CREATE_VCPU");

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            LibC.Close(fd);
        }
    }

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"A {name} is {expected} bytes, not {actual}.");
        }
    }
}
