using System.Buffers.Binary;
using System.Diagnostics;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Kvm.Program;

namespace KernelZones.Migration.Kvm.Tests;

public sealed class KvmDirtyLogTests
{
    private const long FirstWorkingSetPage = GuestLayout.DefaultWorkingSetFirstPage;

    [Fact]
    public async Task PagesTheWorkloadWritesAppearInTheDirtyLog()
    {
        KvmHost.Require();
        using KvmGuest guest = KvmGuest.Create(new KvmGuestOptions { Workload = KvmWorkload.Parse("dirty:4:1MiB") });
        await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        guest.Memory.StartDirtyTracking();
        uint startWritten = Status(guest, GuestLayout.SWritten);

        // Wait for one full pass over the 256-page working set after tracking began.
        Heartbeat beat;
        do
        {
            beat = await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        }
        while (beat.Written < startWritten + 256);

        var dirty = new DirtyPageBitmap(guest.Memory.PageCount);
        long moved = guest.Memory.CollectDirtyPages(dirty);

        for (long page = FirstWorkingSetPage; page < FirstWorkingSetPage + 256; page++)
        {
            Assert.True(dirty.IsSet(page), $"Working-set page {page} was written but is not in the dirty log.");
        }

        Assert.False(dirty.IsSet(FirstWorkingSetPage + 256), "A page past the working set is in the dirty log.");
        Assert.True(moved >= 256);
    }

    [Fact]
    public async Task ACollectedPageIsNotReportedAgainUntilRewritten()
    {
        KvmHost.Require();
        const uint workingSetPages = 2048;
        using KvmGuest guest = KvmGuest.Create(new KvmGuestOptions { Workload = KvmWorkload.Parse("dirty:1:8MiB") });
        await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        guest.Memory.StartDirtyTracking();
        var dirty = new DirtyPageBitmap(guest.Memory.PageCount);

        guest.Memory.CollectDirtyPages(dirty);
        uint cursorAfterFirst = Status(guest, GuestLayout.SCursor);
        Heartbeat.Drain(guest.ConsoleLines);
        await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        dirty.Clear();
        guest.Memory.CollectDirtyPages(dirty);
        uint cursorAfterSecond = Status(guest, GuestLayout.SCursor);

        // At 256 pages/s the guest wrote a short run of pages between the collections; every working-set page in the
        // second collection lies in that run (with slack for the cursor reads), and there is at least one.
        uint slack = 16;
        uint window = ((cursorAfterSecond - cursorAfterFirst + workingSetPages) % workingSetPages) + (2 * slack);
        Assert.InRange(window, 2 * slack, workingSetPages / 2);
        int inWorkingSet = 0;
        for (uint i = 0; i < workingSetPages; i++)
        {
            if (dirty.IsSet(FirstWorkingSetPage + i))
            {
                inWorkingSet++;
                uint distance = (i - cursorAfterFirst + slack + workingSetPages) % workingSetPages;
                Assert.True(distance < window, $"Page {i} of the working set was reported again though the guest did not rewrite it (cursor {cursorAfterFirst} → {cursorAfterSecond}).");
            }
        }

        Assert.True(inWorkingSet > 0, "The guest wrote pages between the collections, but none was reported.");
    }

    [Fact]
    public async Task AnIdleGuestDirtiesAlmostNothing()
    {
        KvmHost.Require();
        using KvmGuest guest = KvmGuest.Create(new KvmGuestOptions());
        await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        guest.Memory.StartDirtyTracking();
        for (int i = 0; i < 10; i++)
        {
            await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        }

        var dirty = new DirtyPageBitmap(guest.Memory.PageCount);
        long moved = guest.Memory.CollectDirtyPages(dirty);

        // The status page (with the line buffer) and the stack page.
        Assert.InRange(moved, 1, 4);
        Assert.True(dirty.IsSet(GuestLayout.Status / 4096));
    }

    [Fact]
    public async Task WhileSuspendedNothingIsDirtiedAndNoHeartbeatAppears()
    {
        KvmHost.Require();
        using KvmGuest guest = KvmGuest.Create(new KvmGuestOptions { Workload = KvmWorkload.Parse("dirty:8:4MiB") });
        await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        guest.Memory.StartDirtyTracking();
        var dirty = new DirtyPageBitmap(guest.Memory.PageCount);

        await guest.Cpus.SuspendAsync(CancellationToken.None).AsTask().WaitAsync(KvmHost.Generous);
        Assert.True(guest.Cpus.IsSuspended);
        guest.Memory.CollectDirtyPages(dirty);
        uint ticks = Status(guest, GuestLayout.STicks);
        Heartbeat.Drain(guest.ConsoleLines);
        Heartbeat last = Heartbeat.Parse(LastLineBuffer(guest));

        await Assert.ThrowsAsync<TimeoutException>(() => Heartbeat.NextAsync(guest.ConsoleLines, TimeSpan.FromMilliseconds(300)));
        dirty.Clear();
        Assert.Equal(0, guest.Memory.CollectDirtyPages(dirty));
        Assert.Equal(ticks, Status(guest, GuestLayout.STicks));

        await guest.Cpus.ResumeAsync(CancellationToken.None);
        Assert.False(guest.Cpus.IsSuspended);
        // The line buffer holds the last heartbeat formatted; the suspension may have caught the UART in the middle of
        // printing it, and then that line completes first. Either way the sequence goes on without a gap.
        Heartbeat next = await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        Assert.InRange(next.Sequence, last.Sequence, last.Sequence + 1);
        Heartbeat after = await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        Assert.Equal(next.Sequence + 1, after.Sequence);
        Assert.True(next.Ok && after.Ok);
        Assert.True(guest.Memory.CollectDirtyPages(dirty) > 0);
    }

    [Fact]
    public async Task TheThrottleSlowsAFullSpeedGuest()
    {
        KvmHost.Require();
        using KvmGuest guest = KvmGuest.Create(new KvmGuestOptions { Workload = KvmWorkload.Parse("dirty:0:4MiB") });
        await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);

        double full = await PagesPerSecond(guest);
        guest.Throttle.SetRunFraction(0.2);
        double throttled = await PagesPerSecond(guest);
        guest.Throttle.SetRunFraction(1);

        Assert.True(throttled < full * 0.6, $"Throttled to 20%, the guest wrote {throttled:F0} pages/s against {full:F0} at full speed.");
        Assert.Equal(1.0, guest.Throttle.RunFraction);
    }

    private static async Task<double> PagesPerSecond(KvmGuest guest)
    {
        uint before = Status(guest, GuestLayout.SWritten);
        var clock = Stopwatch.StartNew();
        Heartbeat.Drain(guest.ConsoleLines);
        while (clock.Elapsed < TimeSpan.FromMilliseconds(500))
        {
            await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        }

        return (Status(guest, GuestLayout.SWritten) - before) / clock.Elapsed.TotalSeconds;
    }

    internal static uint Status(KvmGuest guest, uint address) => BinaryPrimitives.ReadUInt32LittleEndian(guest.GuestMemory.Physical(address, 4));

    /// <summary>The last line the guest built in its line buffer (the heartbeat it printed last).</summary>
    private static string LastLineBuffer(KvmGuest guest)
    {
        Span<byte> buffer = guest.GuestMemory.Physical(GuestLayout.LineBuffer, 128);
        return System.Text.Encoding.ASCII.GetString(buffer[..buffer.IndexOf((byte)'\n')]);
    }
}
