using System.Diagnostics;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace KernelZones.Migration.Tests.Guests;

public sealed class GuestWorkloadTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    // 1/64 s: at 32 MiB/s (8192 pages/s) a step is worth exactly 128 pages, and at a quarter of the speed 32.
    private static readonly TimeSpan s_step = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / 64);

    [Fact]
    public async Task Suspend_really_stops_the_workload_and_resume_restarts_it()
    {
        var clock = new FakeTimeProvider();
        using var guest = new InMemoryGuest(16L << 20);
        using var workload = new GuestWorkload(guest, new GuestWorkloadOptions { DirtyMiBPerSecond = 256 }, clock);
        workload.Start();
        clock.Advance(TimeSpan.FromMilliseconds(10));
        await WaitUntil(() => workload.PagesWritten > 100);

        await guest.Cpus.SuspendAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        Assert.True(guest.Cpus.IsSuspended);
        long atSuspend = workload.PagesWritten;
        guest.Memory.StartDirtyTracking();

        // A running workload now has a full bucket of writes due; once it is parked at the closed gate, it wrote none of them.
        clock.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => guest.SimulatedCpus.ParkedThreads == 1);
        Assert.Equal(atSuspend, workload.PagesWritten);
        Assert.Equal(0, guest.Memory.CollectDirtyPages(new DirtyPageBitmap(guest.Memory.PageCount)));

        await guest.Cpus.ResumeAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromMilliseconds(10));
        await WaitUntil(() => workload.PagesWritten > atSuspend);
        Assert.False(guest.Cpus.IsSuspended);
    }

    [Fact]
    public async Task Stop_ends_the_thread_while_suspended()
    {
        using var guest = new InMemoryGuest(1L << 20);
        var workload = new GuestWorkload(guest);
        workload.Start();
        await guest.Cpus.SuspendAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        await Task.Run(workload.Stop, TestContext.Current.CancellationToken).WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        Assert.False(workload.IsRunning);
    }

    [Fact]
    public async Task Rate_is_honoured_to_the_page_and_throttle_scales_it()
    {
        var clock = new FakeTimeProvider();
        using var guest = new InMemoryGuest(64L << 20);
        using var workload = new GuestWorkload(guest, new GuestWorkloadOptions { DirtyMiBPerSecond = 32 }, clock);
        workload.Start();

        long full = await PagesWrittenOver(guest, workload, clock, steps: 64, pagesPerStep: 128);
        guest.Throttle.SetRunFraction(0.25);
        long throttled = await PagesWrittenOver(guest, workload, clock, steps: 64, pagesPerStep: 32);

        // One second of the manual clock: 32 MiB of 4 KiB pages, then a quarter of that.
        Assert.Equal(8192, full);
        Assert.Equal(2048, throttled);
    }

    [Fact]
    public async Task Writes_stay_in_the_working_set_and_favour_the_hot_pages()
    {
        const long Mib = 1 << 20;
        using var guest = new InMemoryGuest(64 * Mib);
        var options = new GuestWorkloadOptions { DirtyMiBPerSecond = 64, WorkingSetOffset = 8 * Mib, WorkingSetBytes = 16 * Mib, HotSetFraction = 0.1, HotWriteFraction = 0.9, BytesPerWrite = 4096 };
        using var workload = new GuestWorkload(guest, options);
        guest.Memory.StartDirtyTracking();
        workload.Start();
        await WaitUntil(() => workload.PagesWritten > 5000);
        await guest.Cpus.SuspendAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        long writes = workload.PagesWritten;
        var dirty = new DirtyPageBitmap(guest.Memory.PageCount);
        guest.Memory.CollectDirtyPages(dirty);

        long first = 8 * Mib / 4096, hotEnd = first + 410, end = first + (16 * Mib / 4096); // 10% of 4096 pages, rounded
        long hot = 0, cold = 0;
        foreach (PageRun run in BitmapRuns.Of(dirty, 1024))
        {
            Assert.True(run.FirstPage >= first && run.EndPage <= end, $"run {run} outside the working set");
            for (long page = run.FirstPage; page < run.EndPage; page++)
            {
                if (page < hotEnd) { hot++; } else { cold++; }
            }
        }

        // At least 4500 writes to 410 hot pages hit nearly all of them; about a tenth of the writes go to cold pages.
        Assert.True(hot > 0.9 * (hotEnd - first), $"hot pages dirtied: {hot}");
        Assert.True(cold > 0 && cold < 0.2 * writes, $"cold pages dirtied: {cold} of {writes} writes");
    }

    [Fact]
    public void Bad_options_are_rejected_with_the_option_named()
    {
        using var guest = new InMemoryGuest(1L << 20);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new GuestWorkload(guest, new GuestWorkloadOptions { HotSetFraction = 0 }));
        Assert.Contains("HotSetFraction", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GuestWorkload(guest, new GuestWorkloadOptions { WorkingSetBytes = 2L << 20 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GuestWorkload(guest, new GuestWorkloadOptions { BytesPerWrite = 4097 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GuestWorkload(guest, new GuestWorkloadOptions { DirtyMiBPerSecond = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => guest.Throttle.SetRunFraction(0));
    }

    [Fact]
    public async Task Cancelled_suspend_leaves_the_guest_running()
    {
        using var guest = new InMemoryGuest(1L << 20);
        Assert.True(guest.SimulatedCpus.TryEnterRunning(TestContext.Current.CancellationToken)); // a vCPU that does not park until told
        using var cancel = new CancellationTokenSource();
        ValueTask suspend = guest.Cpus.SuspendAsync(cancel.Token);
        Assert.False(guest.Cpus.IsSuspended);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => suspend.AsTask().WaitAsync(s_timeout, TestContext.Current.CancellationToken));
        Assert.False(guest.Cpus.IsSuspended);
        guest.SimulatedCpus.ExitRunning();
        await guest.Cpus.SuspendAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        Assert.True(guest.Cpus.IsSuspended);
    }

    /// <summary>
    /// Moves the clock <paramref name="steps"/> times, waiting after each until the step's pages are written, and returns
    /// how many pages were written: more than due shows as a larger count, fewer as a wait that never ends. The count is
    /// read with the guest suspended, so that no batch is half counted.
    /// </summary>
    private static async Task<long> PagesWrittenOver(InMemoryGuest guest, GuestWorkload workload, FakeTimeProvider clock, int steps, long pagesPerStep)
    {
        long before = workload.PagesWritten;
        for (int step = 1; step <= steps; step++)
        {
            clock.Advance(s_step);
            long due = before + (step * pagesPerStep);
            await WaitUntil(() => workload.PagesWritten >= due);
        }

        await guest.Cpus.SuspendAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        long written = workload.PagesWritten - before;
        await guest.Cpus.ResumeAsync(TestContext.Current.CancellationToken);
        return written;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < s_timeout, "condition not reached within the timeout");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}
