using KernelZones.Migration.Engine;
using KernelZones.Migration.Lifecycle;

namespace KernelZones.Migration.Kvm.Tests.Migration;

/// <summary>
/// A KVM guest live-migrated by the engine between two hosts in this process (real sockets, real TLS, real stripes):
/// the destination's VM continues the source's heartbeats, and the guest itself checks every page it wrote.
/// </summary>
public sealed class KvmLiveMigrationTests
{
    private const string ZoneName = "kvm1";

    [Theory]
    [InlineData("aes-128-ccm")]
    [InlineData("aes-128-gcm")]
    [InlineData("none")]
    public async Task AnIdleOneGiBGuestContinuesItsHeartbeatsOnTheDestination(string cipher)
    {
        KvmHost.Require();
        await MigrateOnceAsync(cipher, new KvmGuestOptions { MemorySize = 1L << 30 }, writtenFirst: 0, beatsAfter: 20);
    }

    [Theory]
    [InlineData("aes-128-ccm")]
    [InlineData("aes-128-gcm")]
    [InlineData("none")]
    public async Task ADirtyingGuestArrivesWithEveryPageItWrote(string cipher)
    {
        KvmHost.Require();

        // 32 MiB/s over a 32 MiB working set: every page is rewritten about once a second during the transfer, and
        // after the move the guest re-verifies the whole working set about twice in the 100 heartbeats read.
        var options = new KvmGuestOptions { MemorySize = 256L << 20, Workload = KvmWorkload.Parse("dirty:32:32MiB") };
        await MigrateOnceAsync(cipher, options, writtenFirst: (32L << 20) / 4096, beatsAfter: 100);
    }

    private static async Task MigrateOnceAsync(string cipher, KvmGuestOptions options, long writtenFirst, int beatsAfter)
    {
        await using var hosts = new KvmHostPair();
        KvmGuest source = hosts.StartOnA(ZoneName, options);
        KvmGuest? arrived = null;
        try
        {
            await KvmHostPair.RunUntilWrittenAsync(source, writtenFirst);
            MigrationResult result = await hosts.A.MigrateAsync(ZoneName, source, hosts.B, KvmHostPair.Options(cipher)).WaitAsync(KvmHost.Generous);

            // Succeeded means the destination's page count and digest of memory and device state matched the source's.
            Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
            Assert.Equal(cipher, result.Cipher);
            Assert.True(source.Cpus.IsSuspended, "The source guest runs on after the commit.");
            Assert.Equal(ZoneState.Configured, hosts.A.Zones.Get(ZoneName).State);
            Heartbeat lastOnSource = KvmHostPair.DrainOk(source);

            arrived = hosts.B.Arrived(ZoneName);
            Assert.NotSame(source, arrived);
            Assert.Equal(ZoneState.Running, hosts.B.Zones.Get(ZoneName).State);
            Heartbeat last = await KvmHostPair.AssertContinuesAsync(arrived, lastOnSource, beatsAfter);
            Assert.True(last.Written >= lastOnSource.Written);

            // The source's VM is released only now, after the commit was acknowledged.
            source.Dispose();
            await source.Completion.WaitAsync(KvmHost.Generous);
            Assert.True(source.Completion.IsCompletedSuccessfully);
            await KvmHostPair.AssertContinuesAsync(arrived, last, count: 5);
        }
        finally
        {
            source.Dispose();
            arrived?.Dispose();
        }
    }
}
