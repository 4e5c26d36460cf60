namespace KernelZones.Migration.Kvm.Program;

/// <summary>
/// Where the guest program and its data live in guest physical memory (32-bit flat protected mode, no paging), and the
/// layout of the monitor-to-guest parameter block and of the guest's own status block. All fields are 32-bit little endian.
/// </summary>
internal static class GuestLayout
{
    public const uint IdtAddress = 0x2000;
    public const ushort IdtLimit = (256 * 8) - 1;
    public const uint ParameterBlock = 0x3000;
    public const uint Status = 0x4000;
    public const uint LineBuffer = 0x4100;
    public const uint LoadAddress = 0x10000;
    public const uint StackTop = 0x80000;

    /// <summary>First page of the working set by default: 1 MiB, above everything else.</summary>
    public const uint DefaultWorkingSetFirstPage = 0x100;

    /// <summary>The first bytes of memory the program and its data need; working sets start at or above this.</summary>
    public const uint ReservedBytes = DefaultWorkingSetFirstPage * 4096;

    public const ushort CodeSelector = 0x08;
    public const ushort DataSelector = 0x10;

    // Parameter block (written by the monitor before the first run).
    public const uint Magic = 0x4250_5A4B; // "KZPB"
    public const uint Version = 1;
    public const uint PMagic = ParameterBlock + 0;
    public const uint PVersion = ParameterBlock + 4;
    public const uint PWorkload = ParameterBlock + 8;
    public const uint PPagesPerSecond = ParameterBlock + 12;
    public const uint PFirstPage = ParameterBlock + 16;
    public const uint PPageCount = ParameterBlock + 20;
    public const uint PHeartbeatTicks = ParameterBlock + 24;
    public const uint PTickHz = ParameterBlock + 28;
    public const uint PPitDivisor = ParameterBlock + 32;
    public const uint PVerifyPagesPerStep = ParameterBlock + 36;
    public const int ParameterBlockLength = 40;

    // Status block (the guest's own counters; they migrate with memory).
    public const uint STicks = Status + 0;
    public const uint SSequence = Status + 4;
    public const uint SWritten = Status + 8;
    public const uint SCursor = Status + 12;
    public const uint SPass = Status + 16;
    public const uint SVerifyCursor = Status + 20;
    public const uint SNextBeat = Status + 24;
    public const uint SCorruptPage = Status + 28;
    public const uint SPaceDone = Status + 32;
    public const uint SMismatches = Status + 36;

    public const uint NoCorruptPage = 0xFFFF_FFFF;

    /// <summary>The pattern's multiplier: word = page × K + generation (32-bit wrap-around), a golden-ratio constant so neighbouring pages differ in many bits.</summary>
    public const uint PatternMultiplier = 0x9E37_79B1;

    /// <summary>XOR applied to the middle word so that a page filled with one value fails the check.</summary>
    public const uint MiddleWordXor = 0x5A5A_5A5A;

    /// <summary>Byte offsets in each working-set page of the three words written and verified.</summary>
    public const int MiddleWordOffset = 2048;
    public const int LastWordOffset = 4092;

    /// <summary>Pages a full-speed workload writes between two checks for a heartbeat.</summary>
    public const int FullSpeedBatch = 64;

    /// <summary>Most pages a paced workload writes in one step; a guest that fell further behind (after a pause) skips ahead.</summary>
    public const int MaxPacedBatch = 256;
}
