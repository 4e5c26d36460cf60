using System.Runtime.InteropServices;

namespace KernelZones.Migration.Kvm.Interop;

/// <summary>The few libc calls the monitor needs: file descriptors, ioctl, memory mappings and thread signals.</summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    public const int O_RDWR = 0x2;
    public const int O_CLOEXEC = 0x80000;

    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int MAP_SHARED = 0x01;
    public const int MAP_PRIVATE = 0x02;
    public const int MAP_ANONYMOUS = 0x20;
    public const int MAP_NORESERVE = 0x4000;
    public const int MADV_HUGEPAGE = 14;
    public const int MADV_DONTFORK = 10;

    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int E2BIG = 7;

    public static readonly void* MapFailed = (void*)-1;

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, nint argument);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* address, nuint length);

    [LibraryImport(Library, EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(void* address, nuint length, int advice);

    [LibraryImport(Library, EntryPoint = "sigaction", SetLastError = true)]
    public static partial int Sigaction(int signal, SigAction* action, SigAction* oldAction);

    [LibraryImport(Library, EntryPoint = "tgkill", SetLastError = true)]
    public static partial int Tgkill(int processId, int threadId, int signal);

    [LibraryImport(Library, EntryPoint = "getpid")]
    public static partial int Getpid();

    [LibraryImport(Library, EntryPoint = "gettid")]
    public static partial int Gettid();

    [LibraryImport(Library, EntryPoint = "__libc_current_sigrtmin")]
    public static partial int CurrentSigRtMin();

    [LibraryImport(Library, EntryPoint = "__libc_current_sigrtmax")]
    public static partial int CurrentSigRtMax();

    /// <summary>glibc's <c>struct sigaction</c> on x86-64 (152 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SigAction
    {
        public nint Handler;
        public fixed ulong Mask[16];
        public int Flags;
        public int Padding;
        public nint Restorer;
    }
}
