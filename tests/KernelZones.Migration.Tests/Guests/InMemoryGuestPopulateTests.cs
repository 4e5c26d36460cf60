using System.Runtime.InteropServices;
using KernelZones.Migration.Guests;

namespace KernelZones.Migration.Tests.Guests;

/// <summary>
/// <c>populate</c>: memory backed by RAM at creation (a destination that boots a migrating-in zone pays its page
/// faults then, not during the transfer), against the default, where untouched pages cost nothing. Residency is
/// read per page with <c>mincore(2)</c>, so other tests allocating meanwhile cannot disturb it.
/// </summary>
public sealed unsafe partial class InMemoryGuestPopulateTests
{
    private const long Size = 64L << 20;

    [Fact]
    public void Populated_memory_is_resident_and_zero_at_once()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mincore(2) is read through Linux's libc");
        using var memory = new InMemoryGuestMemory(Size, populate: true);

        Assert.Equal(1.0, ResidentFraction(memory));
        for (long page = 0; page < memory.PageCount; page += 256)
        {
            Assert.True(PageScan.IsZero(memory.GetPages(page, 256)));
        }
    }

    [Fact]
    public void Default_memory_stays_unbacked_until_touched()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mincore(2) is read through Linux's libc");
        using var memory = new InMemoryGuestMemory(Size);

        Assert.True(ResidentFraction(memory) < 0.05, "a fresh guest should not be backed by RAM yet");
    }

    [Theory]
    [InlineData(2 << 20, 2 << 20)]
    [InlineData(512, 4096)] // guest pages smaller than the system's: the memory may start inside a system page and end in one more
    public void Populated_guest_covers_every_page_whatever_its_page_size(int pageSize, int extra)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mincore(2) is read through Linux's libc");
        using var guest = new InMemoryGuest(Size + extra, pageSize, populate: true);

        Assert.Equal(1.0, ResidentFraction(guest.Memory));
    }

    private static double ResidentFraction(InMemoryGuestMemory memory)
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
    private static partial int MinCore(byte* address, nuint length, byte* vector);
}
