using System.Runtime.InteropServices;
using KernelZones.Migration.Kvm.Interop;

namespace KernelZones.Migration.Kvm.VState;

/// <summary>
/// The signal that kicks a vCPU thread out of KVM_RUN. KVM_RUN returns EINTR when a signal with a handler is pending;
/// together with <c>immediate_exit</c> (checked on entry) no kick is lost, whether it arrives before or during KVM_RUN.
/// </summary>
/// <remarks>
/// The .NET runtime on Linux takes SIGRTMIN for its own activation injection, so the kick uses the first real-time
/// signal from SIGRTMIN+5 on that still has its default disposition (and would otherwise terminate the process). Its
/// handler must be native and async-signal-safe; a managed handler would re-enter the runtime inside a signal. libc's
/// <c>getpid</c> is such a function and has no effect, so it serves as the no-op handler. SA_RESTART is left clear so
/// that the interrupted ioctl returns EINTR instead of being restarted.
/// </remarks>
internal static unsafe class VcpuKick
{
    private const int FirstOffset = 5;
    private const int LastOffset = 12;

    private static readonly Lazy<int> s_signal = new(Install);

    public static int Signal => s_signal.Value;

    /// <summary>Sends the kick to a thread of this process.</summary>
    public static void Send(int threadId)
    {
        if (LibC.Tgkill(LibC.Getpid(), threadId, Signal) != 0)
        {
            KvmErrors.Throw($"tgkill of vCPU thread {threadId}", Marshal.GetLastPInvokeError());
        }
    }

    private static int Install()
    {
        nint handler = NativeLibrary.GetExport(NativeLibrary.Load("libc.so.6"), "getpid");
        int first = LibC.CurrentSigRtMin() + FirstOffset;
        int last = Math.Min(LibC.CurrentSigRtMin() + LastOffset, LibC.CurrentSigRtMax());
        for (int signal = first; signal <= last; signal++)
        {
            LibC.SigAction current;
            KvmErrors.Check(LibC.Sigaction(signal, null, &current), $"sigaction({signal}) query");
            if (current.Handler == handler)
            {
                return signal;
            }

            if (current.Handler != 0)
            {
                continue;
            }

            var action = new LibC.SigAction { Handler = handler, Flags = 0 };
            KvmErrors.Check(LibC.Sigaction(signal, &action, null), $"sigaction({signal}) install");
            return signal;
        }

        throw new KvmException($"No real-time signal from SIGRTMIN+{FirstOffset} to SIGRTMIN+{LastOffset} is free to kick vCPU threads; another component handles them all.");
    }
}
