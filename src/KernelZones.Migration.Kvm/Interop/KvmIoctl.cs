namespace KernelZones.Migration.Kvm.Interop;

/// <summary>
/// KVM ioctl request numbers (linux/kvm.h), computed as <c>_IOC(direction, 0xAE, nr, size)</c> so that each states the
/// size of the structure it carries; a test checks those sizes against our structures.
/// </summary>
internal static class KvmIoctl
{
    private const uint None = 0;
    private const uint Write = 1;
    private const uint Read = 2;

    public const uint GetApiVersion = (None << 30) | (0xAEu << 8) | 0x00;
    public const uint CreateVm = (None << 30) | (0xAEu << 8) | 0x01;
    public const uint GetMsrIndexList = ((Read | Write) << 30) | (4u << 16) | (0xAEu << 8) | 0x02;
    public const uint CheckExtension = (None << 30) | (0xAEu << 8) | 0x03;
    public const uint GetVcpuMmapSize = (None << 30) | (0xAEu << 8) | 0x04;
    public const uint GetSupportedCpuid = ((Read | Write) << 30) | (8u << 16) | (0xAEu << 8) | 0x05;

    public const uint CreateVcpu = (None << 30) | (0xAEu << 8) | 0x41;
    public const uint GetDirtyLog = (Write << 30) | (16u << 16) | (0xAEu << 8) | 0x42;
    public const uint SetUserMemoryRegion = (Write << 30) | (32u << 16) | (0xAEu << 8) | 0x46;
    public const uint SetTssAddr = (None << 30) | (0xAEu << 8) | 0x47;
    public const uint SetIdentityMapAddr = (Write << 30) | (8u << 16) | (0xAEu << 8) | 0x48;
    public const uint CreateIrqchip = (None << 30) | (0xAEu << 8) | 0x60;
    public const uint IrqLine = (Write << 30) | (8u << 16) | (0xAEu << 8) | 0x61;
    public const uint GetIrqchip = ((Read | Write) << 30) | (520u << 16) | (0xAEu << 8) | 0x62;
    public const uint SetIrqchip = (Read << 30) | (520u << 16) | (0xAEu << 8) | 0x63;
    public const uint CreatePit2 = (Write << 30) | (64u << 16) | (0xAEu << 8) | 0x77;
    public const uint SetClock = (Write << 30) | (48u << 16) | (0xAEu << 8) | 0x7B;
    public const uint GetClock = (Read << 30) | (48u << 16) | (0xAEu << 8) | 0x7C;
    public const uint GetPit2 = (Read << 30) | (112u << 16) | (0xAEu << 8) | 0x9F;
    public const uint SetPit2 = (Write << 30) | (112u << 16) | (0xAEu << 8) | 0xA0;

    public const uint Run = (None << 30) | (0xAEu << 8) | 0x80;
    public const uint GetRegs = (Read << 30) | (144u << 16) | (0xAEu << 8) | 0x81;
    public const uint SetRegs = (Write << 30) | (144u << 16) | (0xAEu << 8) | 0x82;
    public const uint GetSregs = (Read << 30) | (312u << 16) | (0xAEu << 8) | 0x83;
    public const uint SetSregs = (Write << 30) | (312u << 16) | (0xAEu << 8) | 0x84;
    public const uint GetMsrs = ((Read | Write) << 30) | (8u << 16) | (0xAEu << 8) | 0x88;
    public const uint SetMsrs = (Write << 30) | (8u << 16) | (0xAEu << 8) | 0x89;
    public const uint GetFpu = (Read << 30) | (416u << 16) | (0xAEu << 8) | 0x8C;
    public const uint SetFpu = (Write << 30) | (416u << 16) | (0xAEu << 8) | 0x8D;
    public const uint GetLapic = (Read << 30) | (1024u << 16) | (0xAEu << 8) | 0x8E;
    public const uint SetLapic = (Write << 30) | (1024u << 16) | (0xAEu << 8) | 0x8F;
    public const uint SetCpuid2 = (Write << 30) | (8u << 16) | (0xAEu << 8) | 0x90;
    public const uint GetCpuid2 = ((Read | Write) << 30) | (8u << 16) | (0xAEu << 8) | 0x91;
    public const uint GetMpState = (Read << 30) | (4u << 16) | (0xAEu << 8) | 0x98;
    public const uint SetMpState = (Write << 30) | (4u << 16) | (0xAEu << 8) | 0x99;
    public const uint GetVcpuEvents = (Read << 30) | (64u << 16) | (0xAEu << 8) | 0x9F;
    public const uint SetVcpuEvents = (Write << 30) | (64u << 16) | (0xAEu << 8) | 0xA0;
    public const uint GetDebugRegs = (Read << 30) | (128u << 16) | (0xAEu << 8) | 0xA1;
    public const uint SetDebugRegs = (Write << 30) | (128u << 16) | (0xAEu << 8) | 0xA2;
    public const uint GetXsave = (Read << 30) | (4096u << 16) | (0xAEu << 8) | 0xA4;
    public const uint SetXsave = (Write << 30) | (4096u << 16) | (0xAEu << 8) | 0xA5;
    public const uint GetXcrs = (Read << 30) | (392u << 16) | (0xAEu << 8) | 0xA6;
    public const uint SetXcrs = (Write << 30) | (392u << 16) | (0xAEu << 8) | 0xA7;

    public const int ApiVersion = 12;

    public const int CapIrqchip = 0;
    public const int CapUserMemory = 3;
    public const int CapSetTssAddr = 4;
    public const int CapExtCpuid = 7;
    public const int CapPit2 = 33;
    public const int CapImmediateExit = 136;
    public const int CapNrVcpus = 9;
    public const int CapAdjustClock = 39;
    public const int CapVcpuEvents = 41;
    public const int CapDebugRegs = 50;
    public const int CapXsave = 55;
    public const int CapXcrs = 56;

    public const uint MemLogDirtyPages = 1;
    public const uint PitSpeakerDummy = 1;

    public const int ChipPicMaster = 0;
    public const int ChipPicSlave = 1;
    public const int ChipIoapic = 2;

    public const uint ExitUnknown = 0;
    public const uint ExitException = 1;
    public const uint ExitIo = 2;
    public const uint ExitHypercall = 3;
    public const uint ExitDebug = 4;
    public const uint ExitHlt = 5;
    public const uint ExitMmio = 6;
    public const uint ExitIrqWindowOpen = 7;
    public const uint ExitShutdown = 8;
    public const uint ExitFailEntry = 9;
    public const uint ExitIntr = 10;
    public const uint ExitNmi = 16;
    public const uint ExitInternalError = 17;
    public const uint ExitSystemEvent = 24;

    public const byte IoDirectionIn = 0;
    public const byte IoDirectionOut = 1;
}
