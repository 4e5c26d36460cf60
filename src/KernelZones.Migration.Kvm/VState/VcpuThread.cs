using KernelZones.Migration.Kvm.Devices;
using KernelZones.Migration.Kvm.Interop;

namespace KernelZones.Migration.Kvm.VState;

/// <summary>
/// One vCPU's thread: it loops on KVM_RUN, answers exits, and parks while any hold is taken (suspension, the throttle's
/// off phase, state capture). A hold sets <c>immediate_exit</c> and kicks the thread with <see cref="VcpuKick"/>.
/// </summary>
/// <remarks>
/// A KVM_RUN that returned with an I/O or MMIO exit leaves the instruction unfinished until the next KVM_RUN copies the
/// answer into the guest's registers; the thread therefore parks only after a KVM_RUN returned EINTR (with
/// <c>immediate_exit</c> set, KVM completes the pending exit and returns at once), so a parked vCPU's registers and
/// memory are final.
/// </remarks>
internal sealed unsafe class VcpuThread : IDisposable
{
    private readonly KvmVcpu _vcpu;
    private readonly PortBus _bus;
    private readonly Thread _thread;
    private readonly object _lock = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _parkedSignal;
    private int _holds;
    private bool _parked;
    private bool _stopping;
    private bool _alive;
    private bool _completionPending;
    private int _threadId;

    /// <param name="vcpu">The vCPU the thread runs.</param>
    /// <param name="bus">Where port I/O exits go.</param>
    /// <param name="startHeld">Whether the thread starts parked (a guest created for restore).</param>
    public VcpuThread(KvmVcpu vcpu, PortBus bus, bool startHeld)
    {
        _vcpu = vcpu;
        _bus = bus;
        _holds = startHeld ? 1 : 0;
        _ = VcpuKick.Signal;
        _thread = new Thread(Loop) { IsBackground = true, Name = $"kvm-vcpu-{vcpu.Index}" };
        _alive = true;
        _thread.Start();
    }

    /// <summary>Completes when the thread ends: successfully when stopped, faulted (<see cref="KvmGuestFaultException"/>) when the guest stopped by itself.</summary>
    public Task Exited => _exited.Task;

    public KvmVcpu Vcpu => _vcpu;

    /// <summary>Takes a hold; the returned task completes once the thread is parked (or has ended).</summary>
    public Task HoldAsync()
    {
        lock (_lock)
        {
            _holds++;
            if (_parked || !_alive)
            {
                return Task.CompletedTask;
            }

            _vcpu.RequestImmediateExit(true);
            _parkedSignal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            KickLocked();
            return _parkedSignal.Task;
        }
    }

    /// <summary>Gives back a hold taken by <see cref="HoldAsync"/>; the thread runs again when none is left.</summary>
    public void Release()
    {
        lock (_lock)
        {
            if (_holds == 0)
            {
                throw new InvalidOperationException("The vCPU has no hold to release.");
            }

            _holds--;
            if (_holds == 0)
            {
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>Stops the thread and waits for it to end. Idempotent.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _stopping = true;
            if (_alive)
            {
                _vcpu.RequestImmediateExit(true);
                KickLocked();
            }

            Monitor.PulseAll(_lock);
        }

        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    private void KickLocked()
    {
        if (_alive && _threadId != 0)
        {
            VcpuKick.Send(_threadId);
        }
    }

    private void Loop()
    {
        lock (_lock)
        {
            _threadId = LibC.Gettid();
        }

        try
        {
            while (WaitUntilRunnable())
            {
                int result = _vcpu.Run();
                if (result != 0)
                {
                    _completionPending = false;
                    continue;
                }

                _completionPending = true;
                HandleExit();
            }

            _exited.TrySetResult();
        }
        catch (Exception exception)
        {
            _exited.TrySetException(exception);
        }
        finally
        {
            lock (_lock)
            {
                _alive = false;
                _parked = true;
                _parkedSignal?.TrySetResult();
                _parkedSignal = null;
            }
        }
    }

    /// <summary>Parks while held (once no exit is pending); returns false when stopping.</summary>
    private bool WaitUntilRunnable()
    {
        lock (_lock)
        {
            while (!_stopping && _holds > 0 && !_completionPending)
            {
                if (!_parked)
                {
                    _parked = true;
                    _parkedSignal?.TrySetResult();
                    _parkedSignal = null;
                }

                Monitor.Wait(_lock);
            }

            _parked = false;
            if (_stopping)
            {
                return false;
            }

            // Written under the lock: a hold taken after this point sets it again before its kick.
            _vcpu.RequestImmediateExit(_holds > 0);
            return true;
        }
    }

    private void HandleExit()
    {
        KvmRun* run = _vcpu.RunPage;
        switch (run->ExitReason)
        {
            case KvmIoctl.ExitIo:
                HandlePortIo(run);
                break;
            case KvmIoctl.ExitMmio:
                if (run->MmioIsWrite == 0)
                {
                    new Span<byte>((byte*)run + KvmSizes.MmioDataOffset, (int)Math.Min(run->MmioLength, 8u)).Fill(0xFF);
                }

                break;
            case KvmIoctl.ExitIrqWindowOpen:
            case KvmIoctl.ExitIntr:
                break;
            case KvmIoctl.ExitHlt:
                throw Fault("hlt with interrupts that can never wake it");
            case KvmIoctl.ExitShutdown:
                throw Fault("shutdown (triple fault)");
            case KvmIoctl.ExitFailEntry:
                throw Fault($"VM entry failed, hardware reason 0x{run->HardwareExitReason:X}");
            case KvmIoctl.ExitInternalError:
                throw Fault($"KVM internal error, suberror {run->InternalSuberror}");
            case KvmIoctl.ExitSystemEvent:
                throw Fault($"system event {run->SystemEventType} (reset or power off)");
            case KvmIoctl.ExitException:
                throw Fault("unhandled guest exception");
            default:
                throw Fault($"unexpected exit reason {run->ExitReason}");
        }
    }

    private void HandlePortIo(KvmRun* run)
    {
        int size = run->IoSize;
        byte* data = (byte*)run + run->IoDataOffset;
        for (uint i = 0; i < run->IoCount; i++)
        {
            var item = new Span<byte>(data + (i * size), size);
            if (run->IoDirection == KvmIoctl.IoDirectionOut)
            {
                _bus.Write(run->IoPort, item);
            }
            else
            {
                _bus.Read(run->IoPort, item);
            }
        }
    }

    private KvmGuestFaultException Fault(string reason) => new(reason, _vcpu.Index, _vcpu.DescribeRegisters());
}
