using KernelZones.Migration.Engine;
using KernelZones.Testing.Faults;

namespace KernelZones.Migration.Kvm.Tests.Migration;

/// <summary>
/// The lease on a guest the destination starts before the commit: a control link that goes silent without failing
/// (both sockets open, nothing forwarded) leaves the destination's guest running only until the bound it announced,
/// when it pauses it; the source, which cannot hear whether that guest is gone, resumes its own only after that bound,
/// so the zone never runs on both hosts. A commit that comes after the lease ended resumes the paused guest.
/// </summary>
public sealed class KvmReadinessLeaseTests
{
    private const string ZoneName = "kvm1";
    private const long MemorySize = 64L << 20;

    public enum StallPoint
    {
        /// <summary>While the destination waits for its guest's first sign of life.</summary>
        ReadinessWait,

        /// <summary>When the guest has shown it runs, as the destination sends its success verdict.</summary>
        Verdict,
    }

    [Theory]
    [InlineData(StallPoint.ReadinessWait)]
    [InlineData(StallPoint.Verdict)]
    public async Task ALinkThatGoesSilentLeavesTheDestinationsGuestPausedBeforeTheSourceResumes(StallPoint point)
    {
        KvmHost.Require();
        await using var hosts = new KvmHostPair(readinessTimeout: TimeSpan.FromSeconds(2), sourceIdleTimeout: TimeSpan.FromSeconds(2));
        (FaultProxy relay, Control.RemoteAddress address) = hosts.RelayToB();
        await using FaultProxy _ = relay;
        var watch = new LeaseWatch();
        void Stall() => relay.FireNow(FaultKind.Stall);
        if (point == StallPoint.ReadinessWait)
        {
            watch.OnReadinessAsked = Stall;
        }
        else
        {
            watch.OnReady = Stall;
        }

        hosts.B.WrapGuest = (_, guest) => watch.WatchDestination(guest);
        using KvmGuest source = hosts.StartOnA(ZoneName, new KvmGuestOptions { MemorySize = MemorySize });
        await Heartbeat.NextAsync(source.ConsoleLines, KvmHost.Generous);

        MigrationException failed = await Assert.ThrowsAsync<MigrationException>(
            () => hosts.A.MigrateAsync(ZoneName, watch.WatchSource(source), address, KvmHostPair.Options("aes-128-gcm")).WaitAsync(KvmHost.Generous));

        LeaseWatch.DestinationGuest destination = watch.Destination ?? throw new InvalidOperationException("The destination made no guest.");
        Assert.True(watch.DestinationPausedAt != 0, $"The destination never paused the guest it started ({failed.Kind}: {failed.Message}).");
        Assert.True(watch.SourceResumedAt != 0, "The source never resumed its guest.");
        Assert.True(watch.DestinationPausedAt < watch.SourceResumedAt, "The source resumed its guest before the destination paused its own.");
        Assert.Equal((true, false), (watch.DestinationAtSourceResume!.Value.Suspended, watch.DestinationAtSourceResume.Value.Disposed));

        // The source's copy runs on; the destination's VM, still there (the link never failed), printed nothing since.
        await KvmHostPair.AssertContinuesAsync(source, KvmHostPair.DrainOk(source), count: 5);
        Assert.Equal(watch.DestinationAtSourceResume.Value.Lines, destination.Inner.ConsoleLines.Count);

        // Once the link fails, the destination discards everything.
        relay.FireNow(FaultKind.CutRst);
        using (var limit = new CancellationTokenSource(KvmHost.Generous))
        {
            while (hosts.B.Zones.Find(ZoneName) is not null || hosts.B.Destination.FindGuest(ZoneName) is not null || !destination.Disposed)
            {
                await Task.Delay(20, limit.Token);
            }
        }

        await hosts.AssertRolledBackAsync(source, ZoneName, beats: 3);
    }

    [Fact]
    public async Task ACommitThatArrivesAfterTheLeaseEndedResumesThePausedGuest()
    {
        KvmHost.Require();
        await using var hosts = new KvmHostPair(readinessTimeout: TimeSpan.FromSeconds(1));
        (FaultProxy relay, Control.RemoteAddress address) = hosts.RelayToB();
        await using FaultProxy _ = relay;
        var watch = new LeaseWatch { OnReady = () => relay.Hold(FlowDirection.Upstream) };
        hosts.B.WrapGuest = (_, guest) => watch.WatchDestination(guest);
        using KvmGuest source = hosts.StartOnA(ZoneName, new KvmGuestOptions { MemorySize = MemorySize });
        await Heartbeat.NextAsync(source.ConsoleLines, KvmHost.Generous);

        // The verdict reaches the source; its commit is held until the destination has paused its guest.
        Task<MigrationResult> migration = hosts.A.MigrateAsync(ZoneName, watch.WatchSource(source), address, KvmHostPair.Options("aes-128-gcm"));
        await watch.DestinationPaused.WaitAsync(KvmHost.Generous);
        relay.Release();
        MigrationResult result = await migration.WaitAsync(KvmHost.Generous);

        Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
        Assert.NotNull(result.ReadinessWait);
        Assert.Equal(0, watch.SourceResumedAt);
        LeaseWatch.DestinationGuest destination = watch.Destination!;
        Assert.Same(destination, hosts.B.Destination.FindGuest(ZoneName));
        Assert.False(destination.Inner.Cpus.IsSuspended, "The commit did not resume the paused guest.");

        // The destination's heartbeats continue the source's sequence, across the pause.
        Heartbeat lastOnSource = KvmHostPair.DrainOk(source);
        Heartbeat first = await Heartbeat.NextAsync(destination.Inner.ConsoleLines, KvmHost.Generous);
        Assert.Equal(lastOnSource.Sequence + 1, first.Sequence);
        await KvmHostPair.AssertContinuesAsync(destination.Inner, first, count: 20);
        destination.Dispose();
    }
}
