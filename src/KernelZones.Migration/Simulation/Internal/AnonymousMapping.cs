using System.Runtime.InteropServices;

namespace KernelZones.Migration.Simulation.Internal;

/// <summary>
/// Zero-filled, private, page-aligned memory straight from the operating system: an anonymous <c>mmap(2)</c> on Linux
/// and <see cref="NativeMemory.AllocZeroed(nuint)"/> elsewhere. Either way a page costs RAM only once it is touched or
/// populated.
/// </summary>
/// <remarks>
/// <para>The mapping is not advised for transparent huge pages. On this project's virtual machines the hypervisor
/// takes back every free 2 MiB block the guest's kernel reports (free page reporting), so a huge page always comes
/// from memory the hypervisor must back again, while small pages come first from the smaller free blocks it left in
/// place. In alternating runs of the migrate benchmark a 1 GiB destination took 4–5 times as long to populate with huge
/// pages (1.3–1.6 s against 0.31–0.34 s); at 4 GiB, past those small blocks, they were 3–31 % faster end to end.</para>
/// <para>It is backed by touching each page, not with <c>MADV_POPULATE_WRITE</c>: on the same machines, in alternating
/// runs of the migrate benchmark, the destination's setup was 0.3–2.2 s shorter that way, and the transfer no slower.
/// The price is that a page the kernel cannot back calls the OOM killer rather than failing a call with ENOMEM; a
/// destination refuses a zone that does not fit its free memory before it creates the guest.</para>
/// <para>
/// <see cref="Populate"/> may run on any number of threads at once, on disjoint or overlapping ranges, and concurrently
/// with writes to the memory: it never changes a byte. <see cref="Dispose"/> must not race anything else.</para>
/// </remarks>
internal sealed unsafe partial class AnonymousMapping : IDisposable
{
    private const int ProtReadWrite = 0x1 | 0x2;         // PROT_READ | PROT_WRITE
    private const int MapPrivateAnonymous = 0x02 | 0x20;  // MAP_PRIVATE | MAP_ANONYMOUS, the same on x86-64 and arm64

    private void* _reservation;
    private readonly nuint _reservationLength;
    private readonly bool _mapped;

    /// <summary>Reserves <paramref name="length"/> bytes starting at a multiple of <paramref name="alignment"/>.</summary>
    /// <param name="length">Usable bytes from <see cref="Base"/>; rounded up to the system page size.</param>
    /// <param name="alignment">A power of two; the start is aligned to at least the system page.</param>
    /// <exception cref="OutOfMemoryException">The operating system refuses the reservation (an <see cref="InsufficientMemoryException"/> from mmap).</exception>
    public AnonymousMapping(long length, int alignment)
    {
        int systemPage = Environment.SystemPageSize;
        Length = (length + systemPage - 1) / systemPage * systemPage;
        _mapped = OperatingSystem.IsLinux();
        alignment = Math.Max(alignment, systemPage);

        // Reserve an alignment more than needed and start at the first aligned address: the slack stays untouched and costs no RAM.
        _reservationLength = (nuint)(Length + alignment);
        _reservation = _mapped ? Map(_reservationLength) : NativeMemory.AllocZeroed(_reservationLength);
        Base = (byte*)(((nuint)_reservation + (nuint)alignment - 1) & ~((nuint)alignment - 1));
    }

    /// <summary>The first usable byte; null after <see cref="Dispose"/>.</summary>
    public byte* Base { get; private set; }

    /// <summary>Usable bytes from <see cref="Base"/>: the requested length rounded up to the system page size.</summary>
    public long Length { get; }

    /// <summary>The address range the operating system reserved, for tests that look for it in <c>/proc/self/maps</c>.</summary>
    internal (nuint Start, nuint Length) Reservation => ((nuint)_reservation, _reservationLength);

    /// <summary>
    /// Backs <paramref name="length"/> bytes at <paramref name="offset"/> with RAM as a write would, without changing
    /// them: an atomic OR of zero into every system page.
    /// </summary>
    /// <param name="offset">Byte offset from <see cref="Base"/>, a multiple of the system page size.</param>
    /// <param name="length">Bytes, with <c>offset + length ≤ Length</c>.</param>
    public void Populate(long offset, long length)
    {
        // A locked read-modify-write faults the page in for writing like a store, yet cannot lose a concurrent write.
        byte* start = Base + offset;
        int stride = Environment.SystemPageSize;
        for (long done = 0; done < length; done += stride)
        {
            Interlocked.Or(ref *(int*)(start + done), 0);
        }
    }

    /// <summary>Returns the memory to the operating system. Idempotent.</summary>
    public void Dispose()
    {
        void* reservation = _reservation;
        _reservation = null;
        Base = null;
        if (reservation == null)
        {
            return;
        }

        if (_mapped)
        {
            // munmap fails only for a range that was never a mapping: a bug here, not a condition to report.
            _ = Munmap(reservation, _reservationLength);
        }
        else
        {
            NativeMemory.Free(reservation);
        }
    }

    private static void* Map(nuint length)
    {
        void* address = Mmap(null, length, ProtReadWrite, MapPrivateAnonymous, -1, 0);
        if (address == (void*)-1)
        {
            int error = Marshal.GetLastPInvokeError();
            throw new InsufficientMemoryException($"Could not reserve {length} bytes of guest memory: {Marshal.GetPInvokeErrorMessage(error)} (errno {error}).");
        }

        return address;
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* Mmap(void* address, nuint length, int protection, int flags, int descriptor, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(void* address, nuint length);
}
