using System.Runtime.InteropServices;
using KernelZones.Migration.Kvm.Interop;

namespace KernelZones.Migration.Kvm.Tests;

public sealed class KvmAbiTests
{
    public static TheoryData<uint, int> Requests => new()
    {
        { KvmIoctl.GetRegs, Marshal.SizeOf<KvmRegs>() },
        { KvmIoctl.SetRegs, Marshal.SizeOf<KvmRegs>() },
        { KvmIoctl.GetSregs, Marshal.SizeOf<KvmSregs>() },
        { KvmIoctl.SetSregs, Marshal.SizeOf<KvmSregs>() },
        { KvmIoctl.SetUserMemoryRegion, Marshal.SizeOf<KvmUserspaceMemoryRegion>() },
        { KvmIoctl.GetDirtyLog, Marshal.SizeOf<KvmDirtyLog>() },
        { KvmIoctl.IrqLine, Marshal.SizeOf<KvmIrqLevel>() },
        { KvmIoctl.CreatePit2, Marshal.SizeOf<KvmPitConfig>() },
        { KvmIoctl.GetClock, Marshal.SizeOf<KvmClockData>() },
        { KvmIoctl.SetClock, Marshal.SizeOf<KvmClockData>() },
        { KvmIoctl.GetIrqchip, KvmSizes.Irqchip },
        { KvmIoctl.GetPit2, KvmSizes.Pit2 },
        { KvmIoctl.GetFpu, KvmSizes.Fpu },
        { KvmIoctl.GetLapic, KvmSizes.Lapic },
        { KvmIoctl.GetXsave, KvmSizes.Xsave },
        { KvmIoctl.GetXcrs, KvmSizes.Xcrs },
        { KvmIoctl.GetDebugRegs, KvmSizes.DebugRegs },
        { KvmIoctl.GetVcpuEvents, KvmSizes.VcpuEvents },
        { KvmIoctl.GetMpState, KvmSizes.MpState },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void EveryRequestCarriesTheSizeOfItsStructure(uint request, int size)
    {
        Assert.Equal(0xAEu, (request >> 8) & 0xFF);
        Assert.Equal((uint)size, (request >> 16) & 0x3FFF);
    }

    [Fact]
    public void EntryArraysHaveTheKernelsStride()
    {
        Assert.Equal(16, Marshal.SizeOf<KvmMsrEntry>());
        Assert.Equal(40, Marshal.SizeOf<KvmCpuidEntry2>());
        Assert.Equal(24, Marshal.SizeOf<KvmSegment>());
        Assert.Equal(152, Marshal.SizeOf<LibC.SigAction>());
    }
}
