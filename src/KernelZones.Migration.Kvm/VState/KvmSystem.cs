using KernelZones.Migration.Kvm.Interop;

namespace KernelZones.Migration.Kvm.VState;

/// <summary><c>/dev/kvm</c>: the API version, capabilities, the host's CPUID and MSR lists, and VM creation.</summary>
internal sealed unsafe class KvmSystem : IDisposable
{
    /// <summary>The KVM device every guest opens unless told otherwise.</summary>
    public const string DefaultDevicePath = "/dev/kvm";
    private const int MaxCpuidEntries = 256;
    private const int MaxMsrIndices = 1024;

    private int _fd;

    private KvmSystem(int fd)
    {
        _fd = fd;
    }

    public int Fd => _fd;

    /// <summary>Opens the KVM device (<c>/dev/kvm</c> unless told otherwise) and checks the API version and the capabilities the monitor relies on.</summary>
    /// <exception cref="KvmException">KVM is not usable here; the message says why.</exception>
    public static KvmSystem Open(string devicePath = DefaultDevicePath)
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess || System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            throw new KvmException("KVM guests need Linux on x86-64.");
        }

        int fd = LibC.Open(devicePath, LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            throw new KvmException($"{devicePath} is not usable: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); KVM needs the device and read-write access to it.", errno);
        }

        var system = new KvmSystem(fd);
        try
        {
            int version = KvmErrors.Check(LibC.Ioctl(fd, KvmIoctl.GetApiVersion, 0), "KVM_GET_API_VERSION");
            if (version != KvmIoctl.ApiVersion)
            {
                throw new KvmException($"{devicePath} speaks KVM API version {version}, not {KvmIoctl.ApiVersion}.");
            }

            foreach ((int capability, string name) in new[]
            {
                (KvmIoctl.CapIrqchip, "KVM_CAP_IRQCHIP"), (KvmIoctl.CapUserMemory, "KVM_CAP_USER_MEMORY"),
                (KvmIoctl.CapPit2, "KVM_CAP_PIT2"), (KvmIoctl.CapImmediateExit, "KVM_CAP_IMMEDIATE_EXIT"),
                (KvmIoctl.CapExtCpuid, "KVM_CAP_EXT_CPUID"), (KvmIoctl.CapVcpuEvents, "KVM_CAP_VCPU_EVENTS"),
            })
            {
                if (!system.HasCapability(capability))
                {
                    throw new KvmException($"{devicePath} lacks {name}, which the monitor needs.");
                }
            }

            return system;
        }
        catch
        {
            system.Dispose();
            throw;
        }
    }

    public bool HasCapability(int capability) => CheckExtension(capability) > 0;

    public int CheckExtension(int capability) => KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.CheckExtension, capability), "KVM_CHECK_EXTENSION");

    public int VcpuMmapSize => KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.GetVcpuMmapSize, 0), "KVM_GET_VCPU_MMAP_SIZE");

    public int CreateVm() => KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.CreateVm, 0), "KVM_CREATE_VM");

    /// <summary>The CPUID leaves KVM can offer a guest on this host (KVM_GET_SUPPORTED_CPUID).</summary>
    public KvmCpuidEntry2[] GetSupportedCpuid()
    {
        byte* buffer = stackalloc byte[8 + (MaxCpuidEntries * sizeof(KvmCpuidEntry2))];
        *(uint*)buffer = MaxCpuidEntries;
        KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.GetSupportedCpuid, buffer), "KVM_GET_SUPPORTED_CPUID");
        return new ReadOnlySpan<KvmCpuidEntry2>(buffer + 8, (int)*(uint*)buffer).ToArray();
    }

    /// <summary>The MSRs KVM can save and restore (KVM_GET_MSR_INDEX_LIST).</summary>
    public uint[] GetMsrIndexList()
    {
        uint* buffer = stackalloc uint[1 + MaxMsrIndices];
        buffer[0] = MaxMsrIndices;
        KvmErrors.Check(LibC.Ioctl(_fd, KvmIoctl.GetMsrIndexList, buffer), "KVM_GET_MSR_INDEX_LIST");
        return new ReadOnlySpan<uint>(buffer + 1, (int)buffer[0]).ToArray();
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            LibC.Close(fd);
        }
    }
}
