using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace KernelZones.Migration.Transport;

/// <summary>
/// Turns a connected socket back into a plain blocking socket at the operating-system level, so that the synchronous
/// <see cref="Socket.Send(ReadOnlySpan{byte}, SocketFlags)"/> and <see cref="Socket.Receive(Span{byte}, SocketFlags)"/>
/// of a stripe's own threads sleep in the kernel and nothing else wakes up for the socket's traffic.
/// </summary>
/// <remarks>
/// <para>.NET makes a socket non-blocking for good once it has been used asynchronously (the stripe handshake is),
/// and then emulates synchronous calls: every call that has to wait registers with the socket engine's event thread,
/// which wakes the caller — a hand-off per wait and an allocation per wait. Clearing <c>O_NONBLOCK</c> again is
/// safe for a socket on which no asynchronous operation is started afterwards: .NET attempts every synchronous
/// operation with one system call first and only falls back to waiting for readiness when that call returns
/// <c>EAGAIN</c>, which a blocking descriptor never does. Disposing the socket still unblocks a thread inside a call
/// (on Linux .NET disconnects the socket first).</para>
/// <para>The engine also keeps the descriptor in its edge-triggered epoll set, where every segment that arrives and
/// every drain of the send buffer wakes the engine's event thread and queues a thread-pool item, although no
/// operation waits: measured at 6 times the context switches of plain blocking sockets and about 7 % more CPU for
/// 2 stripes at 2 GB/s on two cores. The engine does not expose its epoll descriptors and, when the socket is closed,
/// only forgets the socket (the kernel drops the registration with the descriptor), so the descriptor is removed
/// from every epoll instance of the process here; no other component registers a stripe's socket.</para>
/// <para>Where this is not available (not Linux), the synchronous calls stay emulated: correct, only slower.</para>
/// </remarks>
internal static partial class BlockingSocket
{
    private const int GetStatusFlags = 3; // F_GETFL
    private const int SetStatusFlags = 4; // F_SETFL
    private const int NonBlocking = 0x800; // O_NONBLOCK on Linux
    private const int EpollDelete = 2; // EPOLL_CTL_DEL
    private const string EpollLinkTarget = "anon_inode:[eventpoll]";

    /// <summary>
    /// Clears <c>O_NONBLOCK</c> on <paramref name="socket"/> and removes it from the process's epoll instances;
    /// false when not supported here or refused (the socket then keeps working, emulated).
    /// </summary>
    public static bool TryMakeBlocking(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        bool added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            int descriptor = (int)socket.SafeHandle.DangerousGetHandle();
            int flags = Fcntl(descriptor, GetStatusFlags, 0);
            if (flags < 0 || ((flags & NonBlocking) != 0 && Fcntl(descriptor, SetStatusFlags, flags & ~NonBlocking) != 0))
            {
                return false;
            }

            StopReadinessEvents(descriptor);
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Removes <paramref name="descriptor"/> from every epoll instance of the process. An instance that does not watch
    /// it answers <c>ENOENT</c>, and a descriptor closed and reused since it was listed answers <c>EBADF</c> or
    /// <c>EINVAL</c>: each is harmless, so results are not checked.
    /// </summary>
    private static void StopReadinessEvents(int descriptor)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFiles("/proc/self/fd");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (string entry in entries)
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out int candidate) || candidate == descriptor)
            {
                continue;
            }

            string? target;
            try
            {
                target = new FileInfo(entry).LinkTarget;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // closed while listed
            }

            if (target == EpollLinkTarget)
            {
                _ = EpollCtl(candidate, EpollDelete, descriptor, IntPtr.Zero);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int descriptor, int command, int argument);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int operation, int descriptor, IntPtr events);
}
