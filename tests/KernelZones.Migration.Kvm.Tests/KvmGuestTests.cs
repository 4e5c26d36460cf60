namespace KernelZones.Migration.Kvm.Tests;

public sealed class KvmGuestTests
{
    [Fact]
    public async Task IdleGuestReachesItsFirstHeartbeat()
    {
        KvmHost.Require();
        using KvmGuest guest = KvmGuest.Create(new KvmGuestOptions());

        Heartbeat first = await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        Heartbeat second = await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);

        Assert.Equal(1, first.Sequence);
        Assert.Equal(2, second.Sequence);
        Assert.True(first.Ticks >= 10, $"The first heartbeat comes after 10 ticks, it said {first.Ticks}.");
        Assert.True(second.Ticks > first.Ticks);
        Assert.Equal(0, first.Written);
        Assert.True(first.Ok);
    }

    [Fact]
    public async Task DirtyWorkloadReportsOkWhileWriting()
    {
        KvmHost.Require();
        using KvmGuest guest = KvmGuest.Create(new KvmGuestOptions { Workload = KvmWorkload.Parse("dirty:4:1MiB") });

        Heartbeat last = await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        while (last.Written < 2 * 256)
        {
            Heartbeat next = await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
            Assert.True(next.Ok, $"The guest found a corrupt page: {next}");
            Assert.Equal(last.Sequence + 1, next.Sequence);
            Assert.True(next.Written >= last.Written);
            last = next;
        }

        // Two passes over the 256-page working set: every page was verified against its earlier generation.
        Assert.True(last.Ok);
    }

    [Fact]
    public async Task TripleFaultIsAClearExceptionAndTheProcessSurvives()
    {
        KvmHost.Require();
        using KvmGuest guest = KvmGuest.Create(new KvmGuestOptions { Workload = KvmWorkload.TripleFault });

        KvmGuestFaultException fault = await Assert.ThrowsAsync<KvmGuestFaultException>(() => guest.Completion.WaitAsync(KvmHost.Generous));

        Assert.Contains("triple fault", fault.Message, StringComparison.Ordinal);
        Assert.Contains("rip=", fault.Registers, StringComparison.Ordinal);
        Assert.Equal(0, fault.Cpu);
        await Assert.ThrowsAsync<KvmGuestFaultException>(async () => await guest.ConsoleLines.Completion.WaitAsync(KvmHost.Generous));
    }

    [Fact]
    public async Task ResumingADisposedGuestThrowsRatherThanTouchingItsUnmappedMemory()
    {
        KvmHost.Require();
        var guest = KvmGuest.Create(new KvmGuestOptions());
        await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
        await guest.Cpus.SuspendAsync(CancellationToken.None);

        // As a migration's rollback after its owner disposed the guest: resuming reads the guest's tick counter, and
        // would read unmapped memory (a crash of the process) if it ran after Dispose.
        guest.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await guest.Cpus.ResumeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task DisposeLeaksNoDescriptorsMappingsOrThreads()
    {
        KvmHost.Require();
        const long memorySize = 37L << 20; // a size nothing else maps, to find the guest's RAM in /proc/self/maps

        // Warm up: first use loads libraries, installs the kick signal and assembles the program.
        using (KvmGuest warm = KvmGuest.Create(new KvmGuestOptions()))
        {
            await Heartbeat.NextAsync(warm.ConsoleLines, KvmHost.Generous);
        }

        int fds = Directory.GetFiles("/proc/self/fd").Length;
        int threads = Directory.GetDirectories("/proc/self/task").Length;
        for (int i = 0; i < 8; i++)
        {
            using KvmGuest guest = KvmGuest.Create(new KvmGuestOptions { MemorySize = memorySize, Workload = KvmWorkload.Parse("dirty:1:64KiB") });
            await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
            Assert.Equal(1, GuestMappings(memorySize));
        }

        Assert.Equal(fds, Directory.GetFiles("/proc/self/fd").Length);
        Assert.Equal(0, GuestMappings(memorySize));
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/maps"), line => line.Contains("anon_inode:kvm", StringComparison.Ordinal));
        Assert.InRange(Directory.GetDirectories("/proc/self/task").Length, 0, threads + 2);
    }

    /// <summary>Mappings of exactly the guest's RAM size plus the vCPUs' kvm_run pages (shown as anon_inode:kvm-vcpu).</summary>
    private static int GuestMappings(long size)
    {
        int count = 0;
        foreach (string line in File.ReadAllLines("/proc/self/maps"))
        {
            string[] range = line[..line.IndexOf(' ', StringComparison.Ordinal)].Split('-');
            long length = Convert.ToInt64(range[1], 16) - Convert.ToInt64(range[0], 16);
            if (length == size)
            {
                count++;
            }
        }

        return count;
    }

    [Fact]
    public void OptionsThatCannotWorkAreRefusedBeforeKvmIsTouched()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KvmGuest.Create(new KvmGuestOptions { MemorySize = 4L << 30 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => KvmGuest.Create(new KvmGuestOptions { MemorySize = 4L << 20, Workload = KvmWorkload.Dirty(1, 4L << 20) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => KvmGuest.Create(new KvmGuestOptions { TickHz = 5 }));
    }
}
