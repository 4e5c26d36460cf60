using System.Globalization;
using KernelZones.Migration.Kvm.Interop;

namespace KernelZones.Migration.Kvm.VState;

/// <summary>A vCPU file descriptor and its mapped <c>kvm_run</c> page; every vCPU ioctl the monitor makes is wrapped here once.</summary>
/// <remarks>KVM_RUN and the state ioctls are made by one thread at a time (the vCPU's own thread while running,
/// the monitor while it is parked); only <see cref="RequestImmediateExit"/> is called from other threads.</remarks>
internal sealed unsafe class KvmVcpu : IDisposable
{
    private const int MaxMsrs = 1024;

    private readonly int _runSize;
    private int _fd;
    private KvmRun* _run;

    public KvmVcpu(KvmVm vm, KvmSystem system, int index)
    {
        Index = index;
        _fd = vm.CreateVcpu(index);
        try
        {
            _runSize = system.VcpuMmapSize;
            void* run = LibC.Mmap(null, (nuint)_runSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, _fd, 0);
            if (run == LibC.MapFailed)
            {
                KvmErrors.Throw("mmap of kvm_run", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
            }

            _run = (KvmRun*)run;
        }
        catch
        {
            LibC.Close(_fd);
            throw;
        }
    }

    public int Index { get; }

    public KvmRun* RunPage => _run;

    /// <summary>Enters the guest (KVM_RUN); returns 0 on an exit to read from <see cref="RunPage"/>, or the errno (EINTR when kicked).</summary>
    public int Run()
    {
        int result = LibC.Ioctl(_fd, KvmIoctl.Run, 0);
        if (result >= 0)
        {
            return 0;
        }

        int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (errno is LibC.EINTR or LibC.EAGAIN)
        {
            return errno;
        }

        KvmErrors.Throw($"KVM_RUN on vCPU {Index}", errno);
        return errno;
    }

    /// <summary>Makes the next or current KVM_RUN return EINTR as soon as it is entered or kicked.</summary>
    public void RequestImmediateExit(bool value) => Volatile.Write(ref _run->ImmediateExit, value ? (byte)1 : (byte)0);

    public KvmRegs GetRegs()
    {
        KvmRegs regs;
        KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.GetRegs, &regs), "KVM_GET_REGS");
        return regs;
    }

    public void SetRegs(in KvmRegs regs)
    {
        fixed (KvmRegs* pointer = &regs)
        {
            KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.SetRegs, pointer), "KVM_SET_REGS");
        }
    }

    public KvmSregs GetSregs()
    {
        KvmSregs sregs;
        KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.GetSregs, &sregs), "KVM_GET_SREGS");
        return sregs;
    }

    public void SetSregs(in KvmSregs sregs)
    {
        fixed (KvmSregs* pointer = &sregs)
        {
            KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.SetSregs, pointer), "KVM_SET_SREGS");
        }
    }

    /// <summary>Reads a fixed-size state structure (FPU, XSAVE, XCRs, debug registers, LAPIC, events, MP state).</summary>
    public byte[] GetBlob(uint request, int size, string name)
    {
        byte[] blob = new byte[size];
        fixed (byte* buffer = blob)
        {
            KvmErrors.Check(LibC.Ioctl(_fd, request, buffer), name);
        }

        return blob;
    }

    /// <summary>Writes a fixed-size state structure read by <see cref="GetBlob"/>.</summary>
    public void SetBlob(uint request, ReadOnlySpan<byte> blob, int size, string name)
    {
        if (blob.Length != size)
        {
            throw new ArgumentException($"{name} takes {size} bytes, not {blob.Length}.");
        }

        fixed (byte* buffer = blob)
        {
            KvmErrors.Check(LibC.Ioctl(_fd, request, buffer), name);
        }
    }

    public void SetCpuid(ReadOnlySpan<KvmCpuidEntry2> entries)
    {
        byte[] buffer = new byte[8 + (entries.Length * sizeof(KvmCpuidEntry2))];
        fixed (byte* pointer = buffer)
        {
            *(uint*)pointer = (uint)entries.Length;
            entries.CopyTo(new Span<KvmCpuidEntry2>(pointer + 8, entries.Length));
            KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.SetCpuid2, pointer), "KVM_SET_CPUID2");
        }
    }

    public KvmCpuidEntry2[] GetCpuid()
    {
        const int maxEntries = 256;
        byte* buffer = stackalloc byte[8 + (maxEntries * sizeof(KvmCpuidEntry2))];
        *(uint*)buffer = maxEntries;
        KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.GetCpuid2, buffer), "KVM_GET_CPUID2");
        return new ReadOnlySpan<KvmCpuidEntry2>(buffer + 8, (int)*(uint*)buffer).ToArray();
    }

    /// <summary>Reads the given MSRs; KVM stops at the first one it cannot read, so the result may be shorter.</summary>
    public KvmMsrEntry[] GetMsrs(ReadOnlySpan<uint> indices)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(indices.Length, MaxMsrs);
        byte[] buffer = new byte[8 + (indices.Length * sizeof(KvmMsrEntry))];
        fixed (byte* pointer = buffer)
        {
            *(uint*)pointer = (uint)indices.Length;
            var entries = new Span<KvmMsrEntry>(pointer + 8, indices.Length);
            for (int i = 0; i < indices.Length; i++)
            {
                entries[i].Index = indices[i];
            }

            int read = KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.GetMsrs, pointer), "KVM_GET_MSRS");
            return entries[..read].ToArray();
        }
    }

    /// <summary>Writes MSRs; throws when KVM accepts fewer than all of them, naming the first it refused.</summary>
    public void SetMsrs(ReadOnlySpan<KvmMsrEntry> msrs)
    {
        byte[] buffer = new byte[8 + (msrs.Length * sizeof(KvmMsrEntry))];
        fixed (byte* pointer = buffer)
        {
            *(uint*)pointer = (uint)msrs.Length;
            msrs.CopyTo(new Span<KvmMsrEntry>(pointer + 8, msrs.Length));
            int written = KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.SetMsrs, pointer), "KVM_SET_MSRS");
            if (written != msrs.Length)
            {
                throw new KvmException($"KVM_SET_MSRS set {written} of {msrs.Length} MSRs; it refused MSR 0x{msrs[written].Index:X}.");
            }
        }
    }

    /// <summary>The registers as one line, for fault reports.</summary>
    public string DescribeRegisters()
    {
        try
        {
            KvmRegs r = GetRegs();
            KvmSregs s = GetSregs();
            return string.Create(CultureInfo.InvariantCulture,
                $"rip={r.Rip:x8} rsp={r.Rsp:x8} rflags={r.Rflags:x8} rax={r.Rax:x8} rbx={r.Rbx:x8} rcx={r.Rcx:x8} rdx={r.Rdx:x8} rsi={r.Rsi:x8} rdi={r.Rdi:x8} rbp={r.Rbp:x8} " +
                $"cs={s.Cs.Selector:x4}/{s.Cs.Base:x} ss={s.Ss.Selector:x4} cr0={s.Cr0:x8} cr2={s.Cr2:x8} cr3={s.Cr3:x8} cr4={s.Cr4:x8} efer={s.Efer:x} idt={s.Idt.Base:x}/{s.Idt.Limit:x} gdt={s.Gdt.Base:x}/{s.Gdt.Limit:x}");
        }
        catch (KvmException exception)
        {
            return $"(unreadable: {exception.Message})";
        }
    }

    public void Dispose()
    {
        KvmRun* run = _run;
        _run = null;
        if (run != null)
        {
            LibC.Munmap(run, (nuint)_runSize);
        }

        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            LibC.Close(fd);
        }
    }
}
