using KernelZones.Migration.Configuration;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Kvm.Program;
using KernelZones.Migration.Lifecycle;

namespace KernelZones.Migration.Kvm.Tests.Migration;

/// <summary>
/// The destination starts a KVM guest before its verdict and waits for its first heartbeat: a guest that runs is already
/// running when the source commits; one that faults, reports a corrupt page, stays silent beyond the readiness timeout,
/// or whose source aborts meanwhile is destroyed before the destination answers, and the source's guest runs on.
/// </summary>
public sealed class KvmReadinessTests
{
    private const string ZoneName = "kvm1";
    private const long MemorySize = 64L << 20;
    private const long WorkingSetPages = (4L << 20) / 4096;

    [Fact]
    public async Task TheDestinationsFirstHeartbeatComesBeforeTheCommitAndContinuesTheSequence()
    {
        KvmHost.Require();
        await using var hosts = new KvmHostPair();
        string? lineAtCommit = null;
        bool running = false;
        hosts.B.WrapGuest = (configuration, guest) =>
        {
            // The zone leaves migrating-in on the destination only at the commit: what the guest printed by then came before it.
            hosts.B.Zones.Get(configuration.ZoneName).StateChanged += (_, e) =>
            {
                if (e.Operation == ZoneOperation.CompleteMigrationIn)
                {
                    running = true;
                    lineAtCommit = guest.ConsoleLines.TryPeek(out string? line) ? line : null;
                }
            };
            return guest;
        };

        using KvmGuest source = hosts.StartOnA(ZoneName, new KvmGuestOptions { MemorySize = MemorySize, Workload = KvmWorkload.Parse("dirty:8:4MiB") });
        KvmGuest? arrived = null;
        try
        {
            await KvmHostPair.RunUntilWrittenAsync(source, WorkingSetPages);
            MigrationResult result = await hosts.A.MigrateAsync(ZoneName, source, hosts.B, KvmHostPair.Options("aes-128-gcm")).WaitAsync(KvmHost.Generous);

            Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
            Assert.NotNull(result.ReadinessWait);
            Assert.True(running, "The zone never became running on the destination.");
            Assert.NotNull(lineAtCommit);
            Heartbeat lastOnSource = KvmHostPair.DrainOk(source);
            Heartbeat first = Heartbeat.Parse(lineAtCommit);
            Assert.Equal(lastOnSource.Sequence + 1, first.Sequence);
            Assert.True(first.Ok, lineAtCommit);

            arrived = hosts.B.Arrived(ZoneName);
            Heartbeat next = await Heartbeat.NextAsync(arrived.ConsoleLines, KvmHost.Generous);
            Assert.Equal(first, next);
            await KvmHostPair.AssertContinuesAsync(arrived, next, count: 20);
        }
        finally
        {
            arrived?.Dispose();
        }
    }

    [Theory]
    [InlineData(Sabotage.WipeInterruptTable, "The guest stopped on vCPU 0")]
    [InlineData(Sabotage.RecordCorruptPage, "The guest reported corrupt memory: 'heartbeat ")]
    public async Task ADestinationGuestThatCannotRunFailsTheSwitchoverBeforeTheCommit(Sabotage sabotage, string reason)
    {
        KvmHost.Require();
        await using var hosts = new KvmHostPair();
        SabotagedGuest? destination = null;
        hosts.B.WrapGuest = (_, guest) => destination = new SabotagedGuest(guest, sabotage);
        using KvmGuest source = hosts.StartOnA(ZoneName, new KvmGuestOptions { MemorySize = MemorySize, Workload = KvmWorkload.Parse("dirty:8:4MiB") });
        await KvmHostPair.RunUntilWrittenAsync(source, WorkingSetPages);

        MigrationException refused = await Assert.ThrowsAsync<MigrationException>(
            () => hosts.A.MigrateAsync(ZoneName, source, hosts.B, KvmHostPair.Options("aes-128-gcm")).WaitAsync(KvmHost.Generous));

        Assert.Equal(MigrationFailureKind.GuestNotReady, refused.Kind);
        Assert.Contains("the guest on the destination cannot run", refused.Message, StringComparison.Ordinal);
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.NotNull(destination);
        Assert.True(destination.Restored, "The destination failed before it restored the state.");
        Assert.True(destination.DisposedBeforeAnswer, "The source heard of the failure before the destination destroyed its VM.");
        await hosts.AssertRolledBackAsync(source, ZoneName);
    }

    [Fact]
    public async Task AGuestSilentBeyondTheReadinessTimeoutFailsTheSwitchoverBeforeTheCommit()
    {
        KvmHost.Require();

        // A tick of readiness against a heartbeat every 100 ms of guest time: the destination gives up first.
        await using var hosts = new KvmHostPair(readinessTimeout: TimeSpan.FromTicks(1));
        SabotagedGuest? destination = null;
        hosts.B.WrapGuest = (_, guest) => destination = new SabotagedGuest(guest, Sabotage.None);
        using KvmGuest source = hosts.StartOnA(ZoneName, new KvmGuestOptions { MemorySize = MemorySize, HeartbeatInterval = TimeSpan.FromMilliseconds(100) });
        await Heartbeat.NextAsync(source.ConsoleLines, KvmHost.Generous);

        MigrationException refused = await Assert.ThrowsAsync<MigrationException>(
            () => hosts.A.MigrateAsync(ZoneName, source, hosts.B, KvmHostPair.Options("aes-128-gcm")).WaitAsync(KvmHost.Generous));

        Assert.Equal(MigrationFailureKind.GuestNotReady, refused.Kind);
        Assert.Contains("the guest on the destination gave no sign of life within", refused.Message, StringComparison.Ordinal);
        Assert.True(destination!.DisposedBeforeAnswer, "The source heard of the failure before the destination destroyed its VM.");
        await hosts.AssertRolledBackAsync(source, ZoneName, beats: 3);
    }

    [Fact]
    public async Task ASourceThatAbortsWhileTheDestinationWaitsForItsGuestResumesOnlyOnceTheDestinationStoppedIt()
    {
        KvmHost.Require();
        await using var hosts = new KvmHostPair(readinessTimeout: KvmHost.Generous);
        SabotagedGuest? destination = null;
        hosts.B.WrapGuest = (_, guest) => destination = new SabotagedGuest(guest, Sabotage.NeverReady);
        using KvmGuest source = hosts.StartOnA(ZoneName, new KvmGuestOptions { MemorySize = MemorySize });
        await Heartbeat.NextAsync(source.ConsoleLines, KvmHost.Generous);

        using var cancel = new CancellationTokenSource();
        Task<MigrationResult> migration = hosts.A.MigrateAsync(ZoneName, source, hosts.B, KvmHostPair.Options("aes-128-gcm"), cancel.Token);
        SabotagedGuest started = await WaitForAsync(() => destination);
        await started.ReadinessAsked.WaitAsync(KvmHost.Generous);
        await cancel.CancelAsync();

        MigrationException aborted = await Assert.ThrowsAsync<MigrationException>(() => migration.WaitAsync(KvmHost.Generous));
        Assert.Equal(MigrationFailureKind.Aborted, aborted.Kind);
        Assert.True(started.DisposedBeforeAnswer, "The source resumed before the destination destroyed its VM.");
        await hosts.AssertRolledBackAsync(source, ZoneName);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> value)
        where T : class
    {
        using var limit = new CancellationTokenSource(KvmHost.Generous);
        while (value() is null)
        {
            await Task.Delay(10, limit.Token);
        }

        return value()!;
    }

    public enum Sabotage
    {
        /// <summary>Nothing: the guest as the destination made it.</summary>
        None,

        /// <summary>Zero the interrupt table after the restore: the first timer tick triple-faults the vCPU.</summary>
        WipeInterruptTable,

        /// <summary>
        /// Flip a word of the first working-set page and record it as corrupt in the guest's status block, as its verifier
        /// does when it finds one: its next heartbeat, the first after the resume, says <c>CORRUPT</c>.
        /// </summary>
        RecordCorruptPage,

        /// <summary>Never report readiness (the guest itself runs normally).</summary>
        NeverReady,
    }

    /// <summary>
    /// The destination's KVM guest, damaged after its state is restored (before the engine starts it), and the
    /// order of what happened to it: whether it was destroyed before the source learned the outcome.
    /// </summary>
    public sealed class SabotagedGuest(KvmGuest inner, Sabotage sabotage) : IGuest, IDeviceState, IGuestReadiness, IDisposable
    {
        private readonly TaskCompletionSource _readinessAsked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _disposed;

        public IGuestMemory Memory => inner.Memory;

        public IVirtualCpus Cpus => inner.Cpus;

        public IDeviceState Devices => this;

        public IGuestThrottle? Throttle => inner.Throttle;

        public bool Restored { get; private set; }

        /// <summary>Read right after the source's call ended: true when the destination had disposed the guest by then.</summary>
        public bool DisposedBeforeAnswer => _disposed;

        public Task ReadinessAsked => _readinessAsked.Task;

        public string Format => inner.Devices.Format;

        public ReadOnlyMemory<byte> Capture() => inner.Devices.Capture();

        public void Restore(ReadOnlySpan<byte> state)
        {
            inner.Devices.Restore(state);
            Restored = true;
            switch (sabotage)
            {
                case Sabotage.WipeInterruptTable:
                    inner.Memory.GetWritablePages(GuestLayout.IdtAddress / 4096, 1).Clear();
                    break;
                case Sabotage.RecordCorruptPage:
                    inner.Memory.GetWritablePages(GuestLayout.DefaultWorkingSetFirstPage, 1)[GuestLayout.MiddleWordOffset] ^= 0x01;
                    Span<byte> status = inner.Memory.GetWritablePages(GuestLayout.Status / 4096, 1)[(int)(GuestLayout.SCorruptPage % 4096)..];
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(status, GuestLayout.DefaultWorkingSetFirstPage);
                    break;
                default:
                    break;
            }
        }

        public Task WaitUntilRunningAsync(CancellationToken cancellationToken)
        {
            _readinessAsked.TrySetResult();
            return sabotage == Sabotage.NeverReady ? Task.Delay(Timeout.Infinite, cancellationToken) : inner.WaitUntilRunningAsync(cancellationToken);
        }

        public void Dispose()
        {
            _disposed = true;
            inner.Dispose();
        }
    }
}
