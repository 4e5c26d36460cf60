using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using KernelZones.Migration.Kvm.Devices;
using KernelZones.Migration.Kvm.Interop;

namespace KernelZones.Migration.Kvm.Snapshot;

/// <summary>
/// The state blob: a 32-byte header (magic <c>KZKVMSTA</c>, version, vCPU count, memory size, body length), a body of
/// records (tag u16, vCPU u16, length u32, payload) and a SHA-256 of header and body. Little endian throughout.
/// </summary>
/// <remarks>
/// Reading checks the total size, the header, the hash and then every record's length against its exact size or limit
/// before copying it, and finally that every required record is present once; only a complete, valid state is returned,
/// so a truncated, oversized, tampered or foreign blob is refused before anything is applied. The hash guards against
/// corruption and mismatched blobs, not against an attacker (the migration channel authenticates the bytes).
/// </remarks>
internal static class KvmStateFormat
{
    public const ushort Version = 1;

    /// <summary>
    /// The <see cref="IDeviceState.Format"/> of a KVM guest's state: this layout and its <see cref="Version"/>. Internal:
    /// an embedder reads it from <see cref="KvmGuest.Devices"/>, and only a <see cref="KvmGuest"/> of this version takes it.
    /// </summary>
    public static readonly string Name = "kvm-x86/" + Version.ToString(CultureInfo.InvariantCulture);
    public const int HeaderLength = 32;
    public const int HashLength = 32;
    public const int MaxVcpus = 64;
    public const int MaxMsrs = 1024;
    public const int MaxCpuidEntries = 256;

    private static ReadOnlySpan<byte> Magic => "KZKVMSTA"u8;

    private enum Tag : ushort
    {
        PicMaster = 1,
        PicSlave = 2,
        Ioapic = 3,
        Pit = 4,
        Clock = 5,
        Serial = 6,
        Regs = 16,
        Sregs = 17,
        Xsave = 18,
        Fpu = 19,
        Xcrs = 20,
        DebugRegs = 21,
        Lapic = 22,
        Msrs = 23,
        Events = 24,
        MpState = 25,
        Cpuid = 26,
    }

    public static byte[] Write(MachineState state)
    {
        var body = new List<(Tag Tag, int Vcpu, byte[] Payload)>
        {
            (Tag.PicMaster, 0, state.Vm.PicMaster),
            (Tag.PicSlave, 0, state.Vm.PicSlave),
            (Tag.Ioapic, 0, state.Vm.Ioapic),
            (Tag.Pit, 0, state.Vm.Pit),
            (Tag.Clock, 0, Bytes(state.Vm.Clock)),
            (Tag.Serial, 0, state.Vm.Serial),
        };
        for (int i = 0; i < state.Vcpus.Length; i++)
        {
            VcpuState v = state.Vcpus[i];
            body.Add((Tag.Regs, i, Bytes(v.Regs)));
            body.Add((Tag.Sregs, i, Bytes(v.Sregs)));
            body.Add((v.FloatingPointIsXsave ? Tag.Xsave : Tag.Fpu, i, v.FloatingPoint));
            if (v.Xcrs.Length > 0)
            {
                body.Add((Tag.Xcrs, i, v.Xcrs));
            }

            body.Add((Tag.DebugRegs, i, v.DebugRegs));
            body.Add((Tag.Lapic, i, v.Lapic));
            body.Add((Tag.Msrs, i, MemoryMarshal.AsBytes(v.Msrs.AsSpan()).ToArray()));
            body.Add((Tag.Events, i, v.Events));
            body.Add((Tag.MpState, i, v.MpState));
            body.Add((Tag.Cpuid, i, MemoryMarshal.AsBytes(v.Cpuid.AsSpan()).ToArray()));
        }

        int bodyLength = body.Sum(r => 8 + r.Payload.Length);
        byte[] blob = new byte[HeaderLength + bodyLength + HashLength];
        Span<byte> header = blob.AsSpan(0, HeaderLength);
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)state.Vcpus.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], state.MemorySize);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], bodyLength);
        int offset = HeaderLength;
        foreach ((Tag tag, int vcpu, byte[] payload) in body)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(offset), (ushort)tag);
            BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(offset + 2), (ushort)vcpu);
            BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(offset + 4), payload.Length);
            payload.CopyTo(blob, offset + 8);
            offset += 8 + payload.Length;
        }

        SHA256.HashData(blob.AsSpan(0, offset), blob.AsSpan(offset));
        return blob;
    }

    /// <summary>Reads and validates a blob for a machine with <paramref name="vcpuCount"/> vCPUs and <paramref name="memorySize"/> bytes of memory.</summary>
    /// <exception cref="ArgumentException">The blob is not a complete, intact state for this machine; the message says what is wrong.</exception>
    public static MachineState Read(ReadOnlySpan<byte> blob, int vcpuCount, long memorySize)
    {
        if (blob.Length > IDeviceState.MaxStateBytes)
        {
            throw Invalid($"it is {blob.Length} bytes, more than the {IDeviceState.MaxStateBytes}-byte limit");
        }

        if (blob.Length < HeaderLength + HashLength || !blob[..8].SequenceEqual(Magic))
        {
            throw Invalid("it does not start with the KVM state magic (truncated or not a KVM state)");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(blob[8..]);
        if (version != Version)
        {
            throw Invalid($"its format version is {version}; this monitor reads version {Version}");
        }

        uint stateVcpus = BinaryPrimitives.ReadUInt32LittleEndian(blob[12..]);
        long stateMemory = BinaryPrimitives.ReadInt64LittleEndian(blob[16..]);
        int bodyLength = BinaryPrimitives.ReadInt32LittleEndian(blob[24..]);
        if (bodyLength < 0 || (long)HeaderLength + bodyLength + HashLength != blob.Length)
        {
            throw Invalid($"its header announces a {bodyLength}-byte body but the blob is {blob.Length} bytes (truncated or padded)");
        }

        Span<byte> hash = stackalloc byte[HashLength];
        SHA256.HashData(blob[..(HeaderLength + bodyLength)], hash);
        if (!CryptographicOperations.FixedTimeEquals(hash, blob[(HeaderLength + bodyLength)..]))
        {
            throw Invalid("its SHA-256 does not match (corrupted or tampered)");
        }

        if (stateVcpus != vcpuCount || stateMemory != memorySize)
        {
            throw Invalid($"it is for a machine with {stateVcpus} vCPUs and {stateMemory} bytes of memory, not {vcpuCount} and {memorySize}");
        }

        return ReadBody(blob.Slice(HeaderLength, bodyLength), vcpuCount, memorySize);
    }

    private static MachineState ReadBody(ReadOnlySpan<byte> body, int vcpuCount, long memorySize)
    {
        var vm = new VmState();
        var vcpus = new VcpuState[vcpuCount];
        for (int i = 0; i < vcpuCount; i++)
        {
            vcpus[i] = new VcpuState();
        }

        var seen = new HashSet<(Tag, int)>();
        while (!body.IsEmpty)
        {
            if (body.Length < 8)
            {
                throw Invalid("a record head is cut short");
            }

            var tag = (Tag)BinaryPrimitives.ReadUInt16LittleEndian(body);
            int vcpu = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
            int length = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
            if (length < 0 || length > body.Length - 8)
            {
                throw Invalid($"record {tag} announces {length} bytes but {body.Length - 8} remain");
            }

            if (vcpu >= vcpuCount || !seen.Add((tag, vcpu)))
            {
                throw Invalid($"record {tag} for vCPU {vcpu} is out of range or repeated");
            }

            ReadOnlySpan<byte> payload = body.Slice(8, length);
            Apply(tag, payload, vm, vcpus[vcpu]);
            body = body[(8 + length)..];
        }

        foreach (Tag required in new[] { Tag.PicMaster, Tag.PicSlave, Tag.Ioapic, Tag.Pit, Tag.Clock, Tag.Serial })
        {
            Require(seen, required, 0);
        }

        for (int i = 0; i < vcpuCount; i++)
        {
            foreach (Tag required in new[] { Tag.Regs, Tag.Sregs, Tag.DebugRegs, Tag.Lapic, Tag.Msrs, Tag.Events, Tag.MpState, Tag.Cpuid })
            {
                Require(seen, required, i);
            }

            if (seen.Contains((Tag.Xsave, i)) == seen.Contains((Tag.Fpu, i)))
            {
                throw Invalid($"vCPU {i} needs exactly one of the XSAVE and FPU records");
            }
        }

        return new MachineState(memorySize, vm, vcpus);
    }

    private static void Apply(Tag tag, ReadOnlySpan<byte> payload, VmState vm, VcpuState v)
    {
        switch (tag)
        {
            case Tag.PicMaster: vm.PicMaster = Exact(payload, KvmSizes.Irqchip, tag); break;
            case Tag.PicSlave: vm.PicSlave = Exact(payload, KvmSizes.Irqchip, tag); break;
            case Tag.Ioapic: vm.Ioapic = Exact(payload, KvmSizes.Irqchip, tag); break;
            case Tag.Pit: vm.Pit = Exact(payload, KvmSizes.Pit2, tag); break;
            case Tag.Clock: vm.Clock = Struct<KvmClockData>(payload, tag); break;
            case Tag.Serial:
                Serial16550.ValidateState(payload);
                vm.Serial = payload.ToArray();
                break;
            case Tag.Regs: v.Regs = Struct<KvmRegs>(payload, tag); break;
            case Tag.Sregs: v.Sregs = Struct<KvmSregs>(payload, tag); break;
            case Tag.Xsave:
                v.FloatingPoint = Exact(payload, KvmSizes.Xsave, tag);
                v.FloatingPointIsXsave = true;
                break;
            case Tag.Fpu: v.FloatingPoint = Exact(payload, KvmSizes.Fpu, tag); break;
            case Tag.Xcrs: v.Xcrs = Exact(payload, KvmSizes.Xcrs, tag); break;
            case Tag.DebugRegs: v.DebugRegs = Exact(payload, KvmSizes.DebugRegs, tag); break;
            case Tag.Lapic: v.Lapic = Exact(payload, KvmSizes.Lapic, tag); break;
            case Tag.Msrs: v.Msrs = Array<KvmMsrEntry>(payload, MaxMsrs, tag); break;
            case Tag.Events: v.Events = Exact(payload, KvmSizes.VcpuEvents, tag); break;
            case Tag.MpState: v.MpState = Exact(payload, KvmSizes.MpState, tag); break;
            case Tag.Cpuid: v.Cpuid = Array<KvmCpuidEntry2>(payload, MaxCpuidEntries, tag); break;
            default: throw Invalid($"it holds an unknown record tag {(ushort)tag}");
        }
    }

    private static void Require(HashSet<(Tag, int)> seen, Tag tag, int vcpu)
    {
        if (!seen.Contains((tag, vcpu)))
        {
            throw Invalid($"record {tag} for vCPU {vcpu} is missing");
        }
    }

    private static byte[] Exact(ReadOnlySpan<byte> payload, int size, Tag tag)
    {
        if (payload.Length != size)
        {
            throw Invalid($"record {tag} is {payload.Length} bytes, not {size}");
        }

        return payload.ToArray();
    }

    private static T Struct<T>(ReadOnlySpan<byte> payload, Tag tag)
        where T : unmanaged
    {
        Exact(payload, Marshal.SizeOf<T>(), tag);
        return MemoryMarshal.Read<T>(payload);
    }

    private static T[] Array<T>(ReadOnlySpan<byte> payload, int maxCount, Tag tag)
        where T : unmanaged
    {
        int size = Marshal.SizeOf<T>();
        if (payload.Length % size != 0 || payload.Length / size > maxCount)
        {
            throw Invalid($"record {tag} is {payload.Length} bytes: not a whole number of {size}-byte entries, or more than {maxCount}");
        }

        return MemoryMarshal.Cast<byte, T>(payload).ToArray();
    }

    private static byte[] Bytes<T>(T value)
        where T : unmanaged => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(ref value)).ToArray();

    private static ArgumentException Invalid(string reason) => new($"The KVM state cannot be restored: {reason}. Nothing was applied.");
}
