using System.Numerics;
using System.Runtime.InteropServices;
using KernelZones.Migration.Kvm.Interop;

namespace KernelZones.Migration.Kvm.VState;

/// <summary>
/// Guest RAM: one anonymous private mapping registered as KVM memory slot 0 at guest physical address 0, with dirty
/// tracking through KVM's dirty log plus a bitmap for the pages the monitor itself writes.
/// </summary>
/// <remarks>
/// <para><b>Why KVM meets the write-then-mark contract.</b> While logging is on, KVM write-protects every page; a guest
/// write to a protected page faults, KVM sets the page's bit and only then lets the write through. KVM_GET_DIRTY_LOG
/// exchanges each bitmap word with zero and write-protects the pages it reported (flushing the TLBs) before it returns,
/// so a guest write that lands after a collection faults again and sets the bit again; a collection therefore never
/// loses a write that the engine's read of the page (which follows the collection) could have missed. The monitor's
/// own writes (<see cref="WriteMonitor"/>) set their bit with <see cref="Interlocked.Or(ref ulong, ulong)"/> after the
/// data is written, and a collection takes those words with <see cref="Interlocked.Exchange(ref ulong, ulong)"/>.</para>
/// <para>Memory sizes above 3 GiB are refused: the guest runs in 32-bit mode without paging and the slot must stay
/// below the TSS pages KVM needs under 4 GiB.</para>
/// </remarks>
internal sealed unsafe class KvmGuestMemory : IGuestMemory, IDisposable
{
    public const int GuestPageSize = 4096;
    public const long MaxSize = 3L << 30;
    private const uint Slot = 0;

    private readonly KvmVm _vm;
    private readonly ulong[] _monitorDirty;
    private readonly ulong[] _kvmLog;
    private byte* _base;
    private volatile bool _tracking;

    public KvmGuestMemory(KvmVm vm, long size)
    {
        if (size <= 0 || size % GuestPageSize != 0 || size > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Guest memory must be a positive multiple of {GuestPageSize} bytes, at most {MaxSize} bytes (3 GiB).");
        }

        _vm = vm;
        Size = size;
        PageCount = size / GuestPageSize;
        _monitorDirty = new ulong[(PageCount + 63) / 64];
        _kvmLog = new ulong[_monitorDirty.Length];
        void* mapping = LibC.Mmap(null, (nuint)size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        if (mapping == LibC.MapFailed)
        {
            KvmErrors.Throw($"mmap of {size} bytes of guest memory", Marshal.GetLastPInvokeError());
        }

        _base = (byte*)mapping;

        // Transparent huge pages cut TLB misses on the host; a kernel without THP refuses the advice, which costs only speed.
        _ = LibC.Madvise(mapping, (nuint)size, LibC.MADV_HUGEPAGE);
        try
        {
            _vm.SetMemoryRegion(Slot, 0, (ulong)size, (nint)mapping, logDirtyPages: false);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public long Size { get; }

    /// <inheritdoc/>
    public int PageSize => GuestPageSize;

    /// <inheritdoc/>
    public long PageCount { get; }

    /// <inheritdoc/>
    public bool IsDirtyTracking => _tracking;

    /// <summary>The host address of guest physical address 0.</summary>
    public nint HostAddress => (nint)_base;

    /// <inheritdoc/>
    public ReadOnlySpan<byte> GetPages(long firstPage, int pageCount) => Run(firstPage, pageCount);

    /// <inheritdoc/>
    public Span<byte> GetWritablePages(long firstPage, int pageCount) => Run(firstPage, pageCount);

    /// <summary>A span over guest physical memory, for the monitor's own reads (the guest may change it concurrently).</summary>
    public Span<byte> Physical(ulong address, int length)
    {
        if (length < 0 || address > (ulong)Size || (ulong)length > (ulong)Size - address)
        {
            throw new ArgumentOutOfRangeException(nameof(address), $"Guest range 0x{address:X}+{length} is outside the {Size}-byte memory.");
        }

        return new Span<byte>(_base + address, length);
    }

    /// <summary>Writes guest memory on behalf of the monitor and marks the pages dirty after the write (write-then-mark).</summary>
    public void WriteMonitor(ulong address, ReadOnlySpan<byte> data)
    {
        data.CopyTo(Physical(address, data.Length));
        if (data.IsEmpty)
        {
            return;
        }

        long first = (long)(address / GuestPageSize);
        long last = (long)((address + (ulong)data.Length - 1) / GuestPageSize);
        for (long page = first; page <= last; page++)
        {
            Interlocked.Or(ref _monitorDirty[page >> 6], 1UL << (int)(page & 63));
        }
    }

    /// <inheritdoc/>
    public void StartDirtyTracking()
    {
        if (_tracking)
        {
            throw new InvalidOperationException("Dirty tracking is already on.");
        }

        _vm.SetMemoryRegion(Slot, 0, (ulong)Size, (nint)_base, logDirtyPages: true);
        Array.Clear(_monitorDirty);
        _tracking = true;
    }

    /// <inheritdoc/>
    public long CollectDirtyPages(DirtyPageBitmap destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.PageCount != PageCount)
        {
            throw new ArgumentException($"The bitmap covers {destination.PageCount} pages, not {PageCount}.", nameof(destination));
        }

        if (!_tracking)
        {
            throw new InvalidOperationException("Dirty tracking is off.");
        }

        _vm.GetDirtyLog(Slot, _kvmLog);
        long moved = 0;
        for (int i = 0; i < _kvmLog.Length; i++)
        {
            ulong word = _kvmLog[i] | Interlocked.Exchange(ref _monitorDirty[i], 0);
            _kvmLog[i] = word;
            moved += BitOperations.PopCount(word);
        }

        destination.UnionWith(0, _kvmLog);
        return moved;
    }

    /// <inheritdoc/>
    public void StopDirtyTracking()
    {
        if (!_tracking)
        {
            return;
        }

        _tracking = false;
        _vm.SetMemoryRegion(Slot, 0, (ulong)Size, (nint)_base, logDirtyPages: false);
    }

    /// <summary>Unmaps the memory; the VM (and with it the slot) must be gone first.</summary>
    public void Dispose()
    {
        byte* mapping = _base;
        _base = null;
        if (mapping != null)
        {
            LibC.Munmap(mapping, (nuint)Size);
        }
    }

    private Span<byte> Run(long firstPage, int pageCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)pageCount * GuestPageSize, IGuestMemory.MaxRunBytes, nameof(pageCount));
        ArgumentOutOfRangeException.ThrowIfNegative(firstPage);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstPage, PageCount - pageCount);
        return new Span<byte>(_base + (firstPage * GuestPageSize), pageCount * GuestPageSize);
    }
}
