using KernelZones.Migration.Engine;

namespace KernelZones.Migration.Kvm.Tests.Migration;

/// <summary>One dirtying guest migrated back and forth between two hosts: every hop continues the heartbeats, no page is ever reported corrupt, and nothing leaks.</summary>
public sealed class KvmMigrationSoakTests
{
    private const int Hops = 50;
    private const int WarmUpHops = 10;
    private const long GuestMemory = 32L << 20;

    [Fact]
    public async Task AGuestMigratedFiftyTimesBackAndForthKeepsEveryPageAndLeaksNothing()
    {
        KvmHost.Require();
        // The soak is about pages and leaks over many moves, not how soon a guest shows life: on a loaded machine the
        // emulated guest's first heartbeat after a move has taken longer than the default 5 s.
        await using var hosts = new KvmHostPair(readinessTimeout: KvmHost.Generous);
        KvmGuest current = hosts.StartOnA("soak", new KvmGuestOptions { MemorySize = GuestMemory, Workload = KvmWorkload.Parse("dirty:8:4MiB") });
        try
        {
            Heartbeat last = await KvmHostPair.RunUntilWrittenAsync(current, 1024);
            (KvmZoneHost from, KvmZoneHost to) = (hosts.A, hosts.B);
            ProcessResources? warm = null;
            for (int hop = 0; hop < Hops; hop++)
            {
                if (hop == WarmUpHops)
                {
                    warm = ProcessResources.Measure();
                }

                MigrationResult result = await from.MigrateAsync("soak", current, to, KvmHostPair.Options("aes-128-gcm")).WaitAsync(KvmHost.Generous);
                Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
                last = KvmHostPair.DrainOk(current, last);
                KvmGuest arrived = to.Arrived("soak");
                current.Dispose();
                current = arrived;
                last = await KvmHostPair.AssertContinuesAsync(current, last, count: 3);
                (from, to) = (to, from);
            }

            // Every page the guest wrote before and during the 50 moves is verified again: a full pass of the verifier.
            long written = last.Written;
            while (last.Written < written + 2048)
            {
                last = await KvmHostPair.AssertContinuesAsync(current, last, count: 10);
            }

            ProcessResources end = ProcessResources.Measure();
            warm!.AssertNoGrowth(end);
            Assert.Equal(1, end.GuestRam);  // exactly one VM is alive: the one the zone runs on now
            Assert.Equal(1, end.VcpuRuns);
        }
        finally
        {
            current.Dispose();
        }
    }

    /// <summary>Open descriptors, threads and mappings of this process: every mapping, and the two kinds a VM left behind would add (its RAM, its vCPU's <c>kvm_run</c>).</summary>
    private sealed record ProcessResources(int Descriptors, int Threads, int Mappings, int GuestRam, int VcpuRuns)
    {
        public static ProcessResources Measure()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            string[] maps = File.ReadAllLines("/proc/self/maps");

            // The runtime's own growth is left out of the mapping count: JIT code (the W^X double mapping) and libraries
            // it loads on first use.
            int mappings = maps.Count(m => !m.Contains("doublemapper", StringComparison.Ordinal) && !m.Contains(".so", StringComparison.Ordinal) && !m.Contains(".dll", StringComparison.Ordinal));
            return new ProcessResources(
                Directory.GetFiles("/proc/self/fd").Length,
                Directory.GetDirectories("/proc/self/task").Length,
                mappings,
                maps.Count(m => m.Contains(" rw-p ", StringComparison.Ordinal) && Length(m) == GuestMemory),
                maps.Count(m => m.Contains("kvm-vcpu", StringComparison.Ordinal)));
        }

        /// <summary>40 hops after the warm-up, a few descriptors, threads and heap mappings may come and go with the thread pool, the GC and the sockets being closed; a VM left behind adds 5 descriptors, a thread, its RAM and its kvm_run per hop.</summary>
        public void AssertNoGrowth(ProcessResources end)
        {
            Assert.True(end.Descriptors <= Descriptors + 6, $"Descriptors grew from {Descriptors} to {end.Descriptors}.");
            Assert.True(end.Threads <= Threads + 6, $"Threads grew from {Threads} to {end.Threads}.");
            Assert.True(end.Mappings <= Mappings + 24, $"Mappings grew from {Mappings} to {end.Mappings}.");
            Assert.Equal(GuestRam, end.GuestRam);
            Assert.Equal(VcpuRuns, end.VcpuRuns);
        }

        private static long Length(string mapping)
        {
            string range = mapping[..mapping.IndexOf(' ', StringComparison.Ordinal)];
            int dash = range.IndexOf('-', StringComparison.Ordinal);
            return long.Parse(range[(dash + 1)..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture)
                - long.Parse(range[..dash], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
