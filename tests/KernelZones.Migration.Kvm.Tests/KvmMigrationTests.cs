using System.Diagnostics;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Kvm.Program;

namespace KernelZones.Migration.Kvm.Tests;

public sealed class KvmMigrationTests
{
    private const long MemorySize = 16L << 20;
    private static readonly KvmWorkload s_workload = KvmWorkload.Parse("dirty:4:1MiB");

    [Fact]
    public async Task ARestoredGuestContinuesItsHeartbeatsForTenSeconds()
    {
        KvmHost.Require();
        (KvmGuest destination, Heartbeat lastOnSource, _) = await MigrateAsync(flipPage: false);
        using (destination)
        {
            Heartbeat previous = lastOnSource;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                Heartbeat next = await Heartbeat.NextAsync(destination.ConsoleLines, KvmHost.Generous);
                Assert.Equal(previous.Sequence + 1, next.Sequence);
                Assert.True(next.Ticks > previous.Ticks, $"Ticks did not rise: {previous} then {next}.");
                Assert.True(next.Written >= previous.Written);
                Assert.True(next.Ok, $"The restored guest found a corrupt page: {next}");
                previous = next;
            }

            Assert.True(previous.Written > lastOnSource.Written + 256, "The restored guest did not keep writing its working set.");
        }
    }

    [Fact]
    public async Task AFlippedWorkingSetPageIsReportedByTheGuestItself()
    {
        KvmHost.Require();
        (KvmGuest destination, _, long? flipped) = await MigrateAsync(flipPage: true);
        using (destination)
        {
            Heartbeat beat;
            do
            {
                beat = await Heartbeat.NextAsync(destination.ConsoleLines, KvmHost.Generous);
            }
            while (beat.Ok && beat.Sequence < 1_000);

            Assert.NotNull(flipped);
            Assert.Equal(flipped, beat.CorruptPage);
        }
    }

    [Fact]
    public async Task BadStateIsRefusedBeforeAnythingIsApplied()
    {
        KvmHost.Require();
        using KvmGuest source = KvmGuest.Create(new KvmGuestOptions { MemorySize = MemorySize, Workload = s_workload });
        await Heartbeat.NextAsync(source.ConsoleLines, KvmHost.Generous);
        Assert.Throws<InvalidOperationException>(() => source.Devices.Capture());
        await source.Cpus.SuspendAsync(CancellationToken.None);
        byte[] state = source.Devices.Capture().ToArray();
        CopyMemory(source, source); // reading and writing the same pages must be harmless; keeps the helper honest
        using KvmGuest destination = KvmGuest.CreateForRestore(new KvmGuestOptions { MemorySize = MemorySize });
        using KvmGuest other = KvmGuest.CreateForRestore(new KvmGuestOptions { MemorySize = MemorySize * 2 });
        int fds = Directory.GetFiles("/proc/self/fd").Length;

        byte[] tampered = (byte[])state.Clone();
        tampered[state.Length / 2] ^= 0x01;
        byte[] oversized = [.. state, 0];
        byte[] foreignMagic = (byte[])state.Clone();
        foreignMagic[0] = (byte)'X';
        byte[] huge = new byte[IDeviceState.MaxStateBytes + 1];

        AssertRefused(destination, state.AsSpan(0, state.Length - 1), "truncated");
        AssertRefused(destination, state.AsSpan(0, 20), "magic");
        AssertRefused(destination, oversized, "announces");
        AssertRefused(destination, tampered, "SHA-256");
        AssertRefused(destination, foreignMagic, "magic");
        AssertRefused(destination, huge, "limit");
        AssertRefused(destination, [], "magic");
        AssertRefused(other, state, "bytes of memory");
        Assert.Equal(fds, Directory.GetFiles("/proc/self/fd").Length);

        // The refusals left the destination untouched: the good state still restores and runs.
        CopyMemory(source, destination);
        destination.Devices.Restore(state);
        await destination.Cpus.ResumeAsync(CancellationToken.None);
        Heartbeat beat = await Heartbeat.NextAsync(destination.ConsoleLines, KvmHost.Generous);
        Assert.True(beat.Ok);
    }

    private static void AssertRefused(KvmGuest guest, ReadOnlySpan<byte> state, string reason)
    {
        byte[] copy = state.ToArray();
        ArgumentException refused = Assert.Throws<ArgumentException>(() => guest.Devices.Restore(copy));
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was applied", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs a source guest, pauses it, captures its state, copies its memory into a fresh guest, restores and resumes it; the source is disposed.</summary>
    private static async Task<(KvmGuest Destination, Heartbeat LastOnSource, long? FlippedPage)> MigrateAsync(bool flipPage)
    {
        KvmGuest destination;
        Heartbeat lastOnSource;
        using (KvmGuest source = KvmGuest.Create(new KvmGuestOptions { MemorySize = MemorySize, Workload = s_workload }))
        {
            // Let the workload finish a pass so that every working-set page has a generation to check.
            Heartbeat beat;
            do
            {
                beat = await Heartbeat.NextAsync(source.ConsoleLines, KvmHost.Generous);
            }
            while (beat.Written < 300);

            await source.Cpus.SuspendAsync(CancellationToken.None).AsTask().WaitAsync(KvmHost.Generous);
            lastOnSource = beat;
            while (source.ConsoleLines.TryRead(out string? line))
            {
                lastOnSource = Heartbeat.Parse(line);
            }

            byte[] state = source.Devices.Capture().ToArray();
            destination = KvmGuest.CreateForRestore(new KvmGuestOptions { MemorySize = MemorySize });
            CopyMemory(source, destination);
            destination.Devices.Restore(state);
        }

        long? flipped = null;
        if (flipPage)
        {
            // The page written last is the one the workload rewrites last: the verifier reaches it first.
            uint cursor = KvmDirtyLogTests.Status(destination, GuestLayout.SCursor);
            long page = GuestLayout.DefaultWorkingSetFirstPage + ((cursor + 255) % 256);
            Span<byte> bytes = destination.Memory.GetWritablePages(page, 1);
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] ^= 0xFF;
            }

            flipped = page;
        }

        await destination.Cpus.ResumeAsync(CancellationToken.None);
        return (destination, lastOnSource, flipped);
    }

    private static void CopyMemory(KvmGuest source, KvmGuest destination)
    {
        int run = IGuestMemory.MaxRunBytes / source.Memory.PageSize;
        for (long page = 0; page < source.Memory.PageCount; page += run)
        {
            int count = (int)Math.Min(run, source.Memory.PageCount - page);
            source.Memory.GetPages(page, count).CopyTo(destination.Memory.GetWritablePages(page, count));
        }
    }
}
