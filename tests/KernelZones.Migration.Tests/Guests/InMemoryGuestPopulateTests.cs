using System.Runtime.InteropServices;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation;

namespace KernelZones.Migration.Tests.Guests;

/// <summary>
/// <c>populate</c>: memory backed by RAM in the background from creation on (a destination that boots a migrating-in
/// zone pays its page faults then, not during the transfer), against the default, where untouched pages cost nothing;
/// and the operating system's mapping behind it, gone after Dispose. Residency is read per page with
/// <c>mincore(2)</c>, so other tests allocating meanwhile cannot disturb it.
/// </summary>
public sealed partial class InMemoryGuestPopulateTests
{
    private const long Size = 64L << 20;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Populated_memory_is_resident_and_zero_once_population_completes()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mincore(2) is read through Linux's libc");
        using var memory = new InMemoryGuestMemory(Size, populate: true);

        await memory.Populated.WaitAsync(s_timeout);
        Assert.Equal(1.0, ResidentFraction(memory));
        for (long page = 0; page < memory.PageCount; page += 256)
        {
            Assert.True(PageScan.IsZero(memory.GetPages(page, 256)));
        }
    }

    [Fact]
    public void Default_memory_stays_unbacked_until_touched_and_has_no_population()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mincore(2) is read through Linux's libc");
        using var memory = new InMemoryGuestMemory(Size);

        Assert.True(memory.Populated.IsCompletedSuccessfully);
        Assert.True(ResidentFraction(memory) < 0.05, "a fresh guest should not be backed by RAM yet");
    }

    [Fact]
    public async Task Writes_made_while_the_memory_is_populated_are_kept()
    {
        const long Large = 512L << 20;
        using var memory = new InMemoryGuestMemory(Large, populate: true);
        byte[] pattern = new byte[3 * 4096];
        new Random(11).NextBytes(pattern);

        // The chunks are populated in address order: the last ones are written here well before a population thread gets there.
        long[] offsets = [Large - pattern.Length, Large / 2 + 100, (64L << 20) - 4096, 0];
        foreach (long offset in offsets)
        {
            memory.Write(offset, pattern);
        }

        await memory.Populated.WaitAsync(s_timeout);
        byte[] back = new byte[pattern.Length];
        foreach (long offset in offsets)
        {
            memory.Read(offset, back);
            Assert.Equal(pattern, back);
        }
    }

    [Theory]
    [InlineData(64L << 20)]
    [InlineData(5L << 30)] // beyond 4 GiB: one mapping, addressed with 64-bit offsets
    public void Dispose_returns_the_mapping_to_the_operating_system(long size)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "/proc/self/maps lists the process's mappings on Linux");
        var memory = new InMemoryGuestMemory(size);
        memory.Write(size - 8, [1, 2, 3, 4, 5, 6, 7, 8]);
        (nuint start, nuint length) = memory.Mapping.Reservation;

        Assert.True(length > (nuint)size);
        Assert.True(MappedBytesFrom(start) >= (long)length, $"/proc/self/maps has no mapping of {length} bytes at 0x{start:x}");
        memory.Dispose();
        Assert.Equal(0, MappedBytesFrom(start));
        Assert.Throws<ObjectDisposedException>(() => memory.GetPages(0, 1));
        memory.Dispose(); // idempotent
    }

    [Fact]
    public async Task Dispose_during_population_stops_it_and_unmaps()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "/proc/self/maps lists the process's mappings on Linux");
        var memory = new InMemoryGuestMemory(1L << 30, populate: true);
        nuint start = memory.Mapping.Reservation.Start;

        memory.Dispose();

        Assert.True(memory.Populated.IsCompleted, "Dispose returned before the population threads stopped");
        Assert.Equal(0, MappedBytesFrom(start));
        if (!memory.Populated.IsCompletedSuccessfully)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => memory.Populated);
        }
    }

    [Theory]
    [InlineData(2 << 20, 2 << 20)]
    [InlineData(512, 4096)] // guest pages smaller than the system's: the memory may start inside a system page and end in one more
    public async Task Populated_guest_covers_every_page_whatever_its_page_size(int pageSize, int extra)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mincore(2) is read through Linux's libc");
        using var guest = new InMemoryGuest(Size + extra, pageSize, populate: true);
        await guest.SimulatedMemory.Populated.WaitAsync(s_timeout);

        Assert.Equal(1.0, ResidentFraction(guest.SimulatedMemory));
    }

    /// <summary>Bytes of the mappings in <c>/proc/self/maps</c> from <paramref name="address"/> on, contiguous; 0 when none holds it.</summary>
    private static long MappedBytesFrom(nuint address)
    {
        long mapped = 0;
        nuint next = address;
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            nuint start = nuint.Parse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null);
            nuint end = nuint.Parse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.HexNumber, null);
            if (start <= next && next < end)
            {
                mapped += (long)(end - next);
                next = end;
            }
        }

        return mapped;
    }

    private static unsafe double ResidentFraction(InMemoryGuestMemory memory)
    {
        int osPage = Environment.SystemPageSize;
        byte[] vector;
        fixed (byte* first = memory.GetPages(0, 1))
        {
            // mincore wants a page-aligned start: from the system page that holds the first byte to the one that holds the last.
            byte* start = (byte*)((nuint)first & ~(nuint)(osPage - 1));
            long length = first + memory.Size - start;
            vector = new byte[(length + osPage - 1) / osPage];
            fixed (byte* residency = vector)
            {
                Assert.Equal(0, MinCore(start, (nuint)length, residency));
            }
        }

        return vector.Count(b => (b & 1) != 0) / (double)vector.Length;
    }

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static unsafe partial int MinCore(byte* address, nuint length, byte* vector);
}
