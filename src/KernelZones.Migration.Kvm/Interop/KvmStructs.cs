using System.Runtime.InteropServices;

namespace KernelZones.Migration.Kvm.Interop;

// The kernel's structures (arch/x86/include/uapi/asm/kvm.h, include/uapi/linux/kvm.h), laid out as the kernel does.
// They are plain data: the state snapshot stores them byte for byte under its format version.

[StructLayout(LayoutKind.Sequential)]
internal struct KvmUserspaceMemoryRegion
{
    public uint Slot;
    public uint Flags;
    public ulong GuestPhysAddr;
    public ulong MemorySize;
    public ulong UserspaceAddr;
}

[StructLayout(LayoutKind.Sequential)]
internal struct KvmDirtyLog
{
    public uint Slot;
    public uint Padding;
    public nint DirtyBitmap;
}

[StructLayout(LayoutKind.Sequential)]
internal struct KvmIrqLevel
{
    public uint Irq;
    public uint Level;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmPitConfig
{
    public uint Flags;
    public fixed uint Padding[15];
}

[StructLayout(LayoutKind.Sequential)]
internal struct KvmRegs
{
    public ulong Rax, Rbx, Rcx, Rdx, Rsi, Rdi, Rsp, Rbp;
    public ulong R8, R9, R10, R11, R12, R13, R14, R15;
    public ulong Rip, Rflags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct KvmSegment
{
    public ulong Base;
    public uint Limit;
    public ushort Selector;
    public byte Type;
    public byte Present, Dpl, Db, S, L, G, Avl;
    public byte Unusable;
    public byte Padding;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmDtable
{
    public ulong Base;
    public ushort Limit;
    public fixed ushort Padding[3];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmSregs
{
    public KvmSegment Cs, Ds, Es, Fs, Gs, Ss;
    public KvmSegment Tr, Ldt;
    public KvmDtable Gdt, Idt;
    public ulong Cr0, Cr2, Cr3, Cr4, Cr8;
    public ulong Efer;
    public ulong ApicBase;
    public fixed ulong InterruptBitmap[4];
}

[StructLayout(LayoutKind.Sequential)]
internal struct KvmClockData
{
    public ulong Clock;
    public uint Flags;
    public uint Pad0;
    public ulong Realtime;
    public ulong HostTsc;
    public uint Pad1, Pad2, Pad3, Pad4;
}

[StructLayout(LayoutKind.Sequential)]
internal struct KvmMsrEntry
{
    public uint Index;
    public uint Reserved;
    public ulong Data;
}

[StructLayout(LayoutKind.Sequential)]
internal struct KvmCpuidEntry2
{
    public uint Function;
    public uint Index;
    public uint Flags;
    public uint Eax, Ebx, Ecx, Edx;
    public uint Padding0, Padding1, Padding2;
}

/// <summary>The fixed head of <c>struct kvm_run</c> (the vCPU's shared page) and the exit unions the monitor reads.</summary>
[StructLayout(LayoutKind.Explicit)]
internal struct KvmRun
{
    [FieldOffset(0)] public byte RequestInterruptWindow;
    [FieldOffset(1)] public byte ImmediateExit;
    [FieldOffset(8)] public uint ExitReason;
    [FieldOffset(12)] public byte ReadyForInterruptInjection;
    [FieldOffset(13)] public byte IfFlag;

    // union at offset 32
    [FieldOffset(32)] public ulong HardwareExitReason;
    [FieldOffset(32)] public byte IoDirection;
    [FieldOffset(33)] public byte IoSize;
    [FieldOffset(34)] public ushort IoPort;
    [FieldOffset(36)] public uint IoCount;
    [FieldOffset(40)] public ulong IoDataOffset;
    [FieldOffset(32)] public ulong MmioPhysAddr;
    [FieldOffset(48)] public uint MmioLength;
    [FieldOffset(52)] public byte MmioIsWrite;
    [FieldOffset(32)] public uint InternalSuberror;
    [FieldOffset(36)] public uint InternalNdata;
    [FieldOffset(32)] public uint SystemEventType;
}

/// <summary>Sizes of the structures the monitor handles as opaque bytes.</summary>
internal static class KvmSizes
{
    public const int Irqchip = 520;
    public const int Pit2 = 112;
    public const int Fpu = 416;
    public const int Lapic = 1024;
    public const int Xsave = 4096;
    public const int Xcrs = 392;
    public const int DebugRegs = 128;
    public const int VcpuEvents = 64;
    public const int MpState = 4;
    public const int MmioDataOffset = 40;
}
