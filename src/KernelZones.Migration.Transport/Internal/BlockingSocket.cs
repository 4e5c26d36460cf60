using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace KernelZones.Migration.Transport;

/// <summary>
/// Puts a connected socket back into blocking mode at the operating-system level, so that the synchronous
/// <see cref="Socket.Send(ReadOnlySpan{byte}, SocketFlags)"/> and <see cref="Socket.Receive(Span{byte}, SocketFlags)"/>
/// of a stripe's own threads sleep in the kernel, as plain blocking sockets do.
/// </summary>
/// <remarks>
/// <para>.NET makes a socket non-blocking for good once it has been used asynchronously (the stripe handshake is),
/// and then emulates synchronous calls: every call that has to wait registers with the socket engine's event thread,
/// which wakes the caller — a hand-off per wait and an allocation per wait. Clearing <c>O_NONBLOCK</c> again is
/// safe for a socket on which no asynchronous operation is started afterwards: .NET attempts every synchronous
/// operation with one system call first and only falls back to waiting for readiness when that call returns
/// <c>EAGAIN</c>, which a blocking descriptor never does. Disposing the socket still unblocks a thread inside a call
/// (on Linux .NET disconnects the socket first). Where this is not available (not Linux), the synchronous calls stay
/// emulated: correct, only slower.</para>
/// </remarks>
internal static partial class BlockingSocket
{
    private const int GetStatusFlags = 3; // F_GETFL
    private const int SetStatusFlags = 4; // F_SETFL
    private const int NonBlocking = 0x800; // O_NONBLOCK on Linux

    /// <summary>Clears <c>O_NONBLOCK</c> on <paramref name="socket"/>; false when not supported here or refused.</summary>
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
            return flags >= 0 && ((flags & NonBlocking) == 0 || Fcntl(descriptor, SetStatusFlags, flags & ~NonBlocking) == 0);
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

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int descriptor, int command, int argument);
}
