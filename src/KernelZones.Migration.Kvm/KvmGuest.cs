using System.Buffers.Binary;
using System.Threading.Channels;
using KernelZones.Migration.Kvm.Devices;
using KernelZones.Migration.Kvm.Interop;
using KernelZones.Migration.Kvm.Program;
using KernelZones.Migration.Kvm.Snapshot;
using KernelZones.Migration.Kvm.VState;

namespace KernelZones.Migration.Kvm;

/// <summary>
/// A KVM virtual machine running the KernelZones guest program (<see cref="KvmGuestProgram"/>): one vCPU on its own
/// thread, guest RAM from an anonymous mapping, the in-kernel PIC, IOAPIC, LAPIC and PIT, and a 16550A UART on COM1
/// whose output arrives as lines on <see cref="ConsoleLines"/>.
/// </summary>
/// <remarks>
/// <para>Create a running guest with <see cref="Create"/>, or an empty, suspended one to migrate into with
/// <see cref="CreateForRestore"/>: the caller fills <see cref="Memory"/>, restores <see cref="Devices"/> and resumes
/// <see cref="Cpus"/>.</para>
/// <para>As an <see cref="IGuestReadiness"/> the guest runs once it prints its first <c>heartbeat … ok</c> line after its
/// vCPUs resumed; a <c>CORRUPT</c> line or a fault fails the wait. The lines stay on <see cref="ConsoleLines"/>.</para>
/// <para>Thread-safety: every member may be called from any thread, with the rules of the <see cref="IGuest"/>
/// interfaces; <see cref="Dispose"/> must not race other calls.</para>
/// </remarks>
public sealed class KvmGuest : IGuest, IGuestReadiness, IDisposable
{
    private const int PitFrequencyHz = 1_193_182;
    internal const int VcpuCount = 1;

    private readonly KvmSystem _system;
    private readonly KvmVm _vm;
    private readonly KvmGuestMemory _memory;
    private readonly KvmVcpu[] _vcpus;
    private readonly Serial16550 _serial;
    private readonly VcpuThread[] _threads;
    private readonly KvmVirtualCpus _cpus;
    private readonly KvmDeviceState _devices;
    private readonly HeartbeatReadiness _readiness = new();
    private int _disposed;

    private KvmGuest(KvmGuestOptions options, bool forRestore)
    {
        Validate(options);
        var created = new List<IDisposable>();
        try
        {
            _system = Track(created, KvmSystem.Open(options.DevicePath));
            _vm = Track(created, new KvmVm(_system));
            _vm.CreateInterruptControllers();
            _memory = Track(created, new KvmGuestMemory(_vm, options.MemorySize));
            _vcpus = new KvmVcpu[VcpuCount];
            KvmCpuidEntry2[] cpuid = _system.GetSupportedCpuid();
            for (int i = 0; i < VcpuCount; i++)
            {
                _vcpus[i] = Track(created, new KvmVcpu(_vm, _system, i));
                _vcpus[i].SetCpuid(cpuid);
            }

            if (!forRestore)
            {
                LoadProgram(options);
            }

            _serial = new Serial16550(high => _vm.SetIrqLine(Serial16550.Irq, high), _readiness.OnLine);
            var bus = new PortBus(_serial);
            _threads = new VcpuThread[VcpuCount];
            for (int i = 0; i < VcpuCount; i++)
            {
                _threads[i] = Track(created, new VcpuThread(_vcpus[i], bus, startHeld: forRestore));
            }

            _cpus = new KvmVirtualCpus(_threads, startSuspended: forRestore, () => _readiness.OnResuming(_serial.HasPartialLine, BinaryPrimitives.ReadUInt32LittleEndian(_memory.Physical(GuestLayout.STicks, sizeof(uint)))));
            _devices = new KvmDeviceState(_system, _vm, _cpus, _serial, options.MemorySize);
            Completion = Task.WhenAll(_threads.Select(t => t.Exited));
            _ = Completion.ContinueWith(
                t =>
                {
                    _readiness.OnStopped(t.Exception?.InnerException);
                    _serial.Complete(t.Exception?.InnerException);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
        catch
        {
            // Threads first, then vCPU fds, memory, VM and /dev/kvm: the reverse of creation.
            for (int i = created.Count - 1; i >= 0; i--)
            {
                created[i].Dispose();
            }

            throw;
        }
    }

    /// <summary>Creates a guest, loads the program and its parameters, and starts the vCPUs.</summary>
    /// <param name="options">Memory size, workload, tick rate and heartbeat interval.</param>
    /// <returns>The running guest; dispose it.</returns>
    /// <exception cref="KvmException">KVM is not usable on this host (the message says why) or a KVM call failed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static KvmGuest Create(KvmGuestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new KvmGuest(options, forRestore: false);
    }

    /// <summary>Creates an empty guest to migrate into: zeroed memory, vCPUs created but suspended (<see cref="IVirtualCpus.IsSuspended"/> is true).</summary>
    /// <param name="options">Only <see cref="KvmGuestOptions.MemorySize"/> is used; it must match the source's.</param>
    /// <returns>The suspended guest; fill its memory, restore its state, then resume it.</returns>
    /// <exception cref="KvmException">KVM is not usable on this host or a KVM call failed.</exception>
    public static KvmGuest CreateForRestore(KvmGuestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new KvmGuest(options, forRestore: true);
    }

    /// <summary>Why KVM guests cannot run here, or <see langword="null"/> when <c>/dev/kvm</c> opens and has what the monitor needs.</summary>
    /// <returns>The reason, for example a missing device or permission; null when usable.</returns>
    public static string? ProbeUnavailableReason() => ProbeUnavailableReason(KvmSystem.DefaultDevicePath);

    /// <summary>Why KVM guests cannot run on the KVM device at <paramref name="devicePath"/>, or <see langword="null"/> when it opens and has what the monitor needs.</summary>
    /// <param name="devicePath">The KVM device node, for example <c>/dev/kvm</c>.</param>
    /// <returns>The reason, for example a missing device or permission; null when usable.</returns>
    public static string? ProbeUnavailableReason(string devicePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(devicePath);
        try
        {
            using KvmSystem system = KvmSystem.Open(devicePath);
            return null;
        }
        catch (KvmException exception)
        {
            return exception.Message;
        }
    }

    /// <summary>The guest's RAM (4 KiB pages), with dirty tracking through KVM's dirty log.</summary>
    public IGuestMemory Memory => _memory;

    /// <summary>The guest's vCPUs; suspension parks every vCPU thread outside KVM_RUN with no exit pending.</summary>
    public IVirtualCpus Cpus => _cpus;

    /// <summary>The guest's CPU and device state (registers, FPU, LAPIC, MSRs, PIC, IOAPIC, PIT, kvmclock, UART).</summary>
    public IDeviceState Devices => _devices;

    /// <summary>The duty-cycle throttle: the vCPUs run for the run fraction of every 20 ms.</summary>
    public IGuestThrottle Throttle => _cpus;

    IGuestThrottle? IGuest.Throttle => _cpus;

    /// <summary>Lines the guest wrote to COM1, without line ends; the oldest are dropped beyond 10,000 unread lines. Completes when the guest stops (with its fault, if any).</summary>
    public ChannelReader<string> ConsoleLines => _serial.Lines;

    /// <summary>Completes when the vCPUs stop: successfully on <see cref="Dispose"/>, faulted with a <see cref="KvmGuestFaultException"/> when the guest stops by itself (triple fault, failed entry, internal error).</summary>
    public Task Completion { get; }

    /// <summary>
    /// Completes at the guest's first <c>heartbeat … ok</c> line after its vCPUs last resumed (after its start for a
    /// guest never suspended), observed without taking it from <see cref="ConsoleLines"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that faults with an <see cref="InvalidDataException"/> when the guest reports a corrupt page first,
    /// with the <see cref="KvmGuestFaultException"/> when it stops by itself, and with an
    /// <see cref="ObjectDisposedException"/> once it is disposed.</returns>
    public Task WaitUntilRunningAsync(CancellationToken cancellationToken) => _readiness.WaitAsync(cancellationToken);

    /// <summary>Sends bytes to the guest's COM1 receiver; up to 4096 bytes wait for the guest, more are dropped.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>How many bytes were queued.</returns>
    public int WriteConsoleInput(ReadOnlySpan<byte> data) => _serial.WriteInput(data);

    /// <summary>Stops the vCPU threads and releases the vCPUs, the VM, its memory and <c>/dev/kvm</c>. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _cpus.Dispose();
        foreach (VcpuThread thread in _threads)
        {
            thread.Dispose();
        }

        foreach (KvmVcpu vcpu in _vcpus)
        {
            vcpu.Dispose();
        }

        _vm.Dispose();
        _memory.Dispose();
        _system.Dispose();
    }

    internal KvmGuestMemory GuestMemory => _memory;

    /// <summary>The CPUID features the guest runs with: those it was started with, or those of the state restored into it.</summary>
    internal KvmCpuFeatures CpuFeatures => KvmCpuFeatures.From(_vcpus[0].GetCpuid());

    /// <summary>The CPUID features this host's KVM offers.</summary>
    internal KvmCpuFeatures HostFeatures => _devices.HostFeatures;

    private static T Track<T>(List<IDisposable> created, T item)
        where T : IDisposable
    {
        created.Add(item);
        return item;
    }

    private static void Validate(KvmGuestOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MemorySize, 2L << 20, nameof(options.MemorySize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MemorySize, KvmGuestMemory.MaxSize, nameof(options.MemorySize));
        if (options.MemorySize % KvmGuestMemory.GuestPageSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MemorySize, "MemorySize must be a multiple of 4096.");
        }

        ArgumentException.ThrowIfNullOrEmpty(options.DevicePath, nameof(options.DevicePath));
        ArgumentNullException.ThrowIfNull(options.Workload, nameof(options.Workload));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TickHz, 19, nameof(options.TickHz));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.TickHz, 10_000, nameof(options.TickHz));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.VerifyPagesPerStep, 0, nameof(options.VerifyPagesPerStep));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.VerifyPagesPerStep, 4096, nameof(options.VerifyPagesPerStep));
        if (options.HeartbeatInterval.TotalSeconds * options.TickHz < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.HeartbeatInterval, "HeartbeatInterval must be at least one tick.");
        }

        long available = options.MemorySize - GuestLayout.ReservedBytes;
        if (options.Workload.WorkingSetBytes > available)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Workload.WorkingSetBytes, $"The working set does not fit: {options.MemorySize}-byte memory leaves {available} bytes above the first {GuestLayout.ReservedBytes}.");
        }
    }

    /// <summary>Copies the program and its parameter block into memory and points the vCPU at its entry in 32-bit flat protected mode.</summary>
    private void LoadProgram(KvmGuestOptions options)
    {
        KvmGuestProgram.Image.CopyTo(_memory.Physical(GuestLayout.LoadAddress, KvmGuestProgram.Length));

        KvmWorkload workload = options.Workload;
        Span<byte> block = stackalloc byte[GuestLayout.ParameterBlockLength];
        uint heartbeatTicks = (uint)Math.Max(1, Math.Round(options.HeartbeatInterval.TotalSeconds * options.TickHz));
        WriteParameter(block, GuestLayout.PMagic, GuestLayout.Magic);
        WriteParameter(block, GuestLayout.PVersion, GuestLayout.Version);
        WriteParameter(block, GuestLayout.PWorkload, (uint)workload.Kind);
        WriteParameter(block, GuestLayout.PPagesPerSecond, (uint)Math.Round(workload.RateMiBPerSecond * 256));
        WriteParameter(block, GuestLayout.PFirstPage, GuestLayout.DefaultWorkingSetFirstPage);
        WriteParameter(block, GuestLayout.PPageCount, (uint)(workload.WorkingSetBytes / KvmGuestMemory.GuestPageSize));
        WriteParameter(block, GuestLayout.PHeartbeatTicks, heartbeatTicks);
        WriteParameter(block, GuestLayout.PTickHz, (uint)options.TickHz);
        WriteParameter(block, GuestLayout.PPitDivisor, (uint)Math.Min(65_535, Math.Round((double)PitFrequencyHz / options.TickHz)));
        WriteParameter(block, GuestLayout.PVerifyPagesPerStep, (uint)options.VerifyPagesPerStep);
        _memory.WriteMonitor(GuestLayout.ParameterBlock, block);

        KvmVcpu vcpu = _vcpus[0];
        KvmSregs sregs = vcpu.GetSregs();
        KvmSegment code = FlatSegment(GuestLayout.CodeSelector, type: 0xB);
        KvmSegment data = FlatSegment(GuestLayout.DataSelector, type: 0x3);
        sregs.Cs = code;
        sregs.Ds = sregs.Es = sregs.Fs = sregs.Gs = sregs.Ss = data;
        sregs.Gdt.Base = GuestLayout.LoadAddress;
        sregs.Gdt.Limit = (3 * 8) - 1;
        sregs.Idt.Base = GuestLayout.IdtAddress;
        sregs.Idt.Limit = GuestLayout.IdtLimit;
        sregs.Cr0 = 0x31; // PE | ET | NE: protected mode, no paging, caches enabled
        sregs.Cr3 = 0;
        sregs.Cr4 = 0;
        sregs.Efer = 0;
        vcpu.SetSregs(sregs);
        vcpu.SetRegs(new KvmRegs { Rip = KvmGuestProgram.EntryPoint, Rsp = GuestLayout.StackTop, Rflags = 0x2 });
    }

    private static void WriteParameter(Span<byte> block, uint address, uint value)
        => BinaryPrimitives.WriteUInt32LittleEndian(block[(int)(address - GuestLayout.ParameterBlock)..], value);

    private static KvmSegment FlatSegment(ushort selector, byte type) => new()
    {
        Base = 0,
        Limit = 0xFFFF_FFFF,
        Selector = selector,
        Type = type,
        Present = 1,
        Dpl = 0,
        Db = 1,
        S = 1,
        L = 0,
        G = 1,
    };
}
