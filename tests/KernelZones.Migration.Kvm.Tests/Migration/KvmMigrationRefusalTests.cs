using KernelZones.Migration.Configuration;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Simulation;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Testing.Faults;

namespace KernelZones.Migration.Kvm.Tests.Migration;

/// <summary>
/// What a KVM destination refuses, and how: a machine mismatch is refused when the zone boots in migrating-in mode
/// and a destination guest of another device state format by the compatibility check (no data connection is ever
/// made), a device state the destination cannot restore fails the switchover, a tampered
/// or cut stripe fails the transfer; in every case the source guest runs on and its pages are intact.
/// </summary>
public sealed class KvmMigrationRefusalTests
{
    private const long MemorySize = 64L << 20;

    public static TheoryData<string, string> Mismatches => new()
    {
        { "vcpus", "the source guest has 1 vCPU(s) and virtual-cpu ncpus is 2" },
        { "memory", $"the source guest has {2 * MemorySize} bytes of memory but capped-memory physical is {MemorySize} bytes" },
        { "state-version", "the source's KVM state format is version 2; this host reads version 1" },
        { "cpuid", "the source guest runs with CPUID features this host's KVM does not offer" },
        { "undescribed", "attr kvm-state-version is missing" },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public async Task AMachineMismatchIsRefusedBeforeAnyMemoryMoves(string mismatch, string expected)
    {
        KvmHost.Require();
        await using var proxy = new FaultProxy(RecordFraming.Stripe);
        await using var hosts = new KvmHostPair(dataProxy: proxy);
        using KvmGuest source = KvmGuest.Create(new KvmGuestOptions { MemorySize = MemorySize });
        hosts.A.Boot(Configure(mismatch, source));
        await AssertRefusedBeforeMemoryMovesAsync(hosts, source, expected);
        Assert.Equal(0, proxy.Connections);
    }

    [Fact]
    public async Task AnUnusableKvmDeviceOnTheDestinationIsRefusedBeforeAnyMemoryMoves()
    {
        KvmHost.Require();
        await using var proxy = new FaultProxy(RecordFraming.Stripe);
        await using var hosts = new KvmHostPair(new KvmGuestOptions { DevicePath = "/nonexistent/kvm" }, proxy);
        using KvmGuest source = KvmGuest.Create(new KvmGuestOptions { MemorySize = MemorySize });
        hosts.A.Boot(KvmZoneMigration.Describe(KvmZoneHost.KernelZone("kvm1", MemorySize), source));
        await AssertRefusedBeforeMemoryMovesAsync(hosts, source, "KVM is not usable on the destination: /nonexistent/kvm is not usable");
        Assert.Equal(0, proxy.Connections);
    }

    [Fact]
    public async Task ADestinationWhoseGuestsAreSimulatedRefusesTheKvmGuestBeforeAnyMemoryMoves()
    {
        KvmHost.Require();
        await using var proxy = new FaultProxy(RecordFraming.Stripe);
        await using var hosts = new KvmHostPair(dataProxy: proxy);
        hosts.B.WrapGuest = (configuration, kvm) =>
        {
            kvm.Dispose();
            return new InMemoryGuest(configuration.PhysicalMemory!.Value.Bytes);
        };
        using KvmGuest source = KvmGuest.Create(new KvmGuestOptions { MemorySize = MemorySize });
        hosts.A.Boot(KvmZoneMigration.Describe(KvmZoneHost.KernelZone("kvm1", MemorySize), source));
        Assert.Equal("kvm-x86/1", source.Devices.Format);
        await AssertRefusedBeforeMemoryMovesAsync(hosts, source, "device state format differs: 'kvm-x86/1' on the source, 'simulated/1' on the destination");
        Assert.Equal(0, proxy.Connections);
    }

    [Fact]
    public async Task AStateTheDestinationCannotRestoreFailsTheSwitchoverAndTheSourceResumes()
    {
        KvmHost.Require();
        await using var hosts = new KvmHostPair();
        using KvmGuest source = hosts.StartOnA("kvm1", new KvmGuestOptions { MemorySize = MemorySize, Workload = KvmWorkload.Parse("dirty:8:4MiB") });
        await KvmHostPair.RunUntilWrittenAsync(source, 1024);

        // The state's hash no longer matches once a bit is flipped after capture; the engine's digest covers the state
        // as sent, so only the destination's restore can notice, which it does before its verdict.
        var flipped = new KvmHostPair.FlippedStateGuest(source);
        MigrationException refused = await Assert.ThrowsAsync<MigrationException>(
            () => hosts.A.Source.MigrateAsync("kvm1", flipped, hosts.B.Address, hosts.A.Credential, KvmHostPair.Options("aes-128-gcm")).WaitAsync(KvmHost.Generous));

        Assert.Equal(MigrationFailureKind.Compatibility, refused.Kind);
        Assert.Contains("the destination cannot restore the device state", refused.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", refused.Message, StringComparison.Ordinal);
        await hosts.AssertRolledBackAsync(source, "kvm1");
    }

    [Theory]
    [InlineData("aes-128-gcm", true)]
    [InlineData("none", true)]
    [InlineData("aes-128-ccm", false)]
    public async Task ATamperedOrCutStripeRollsBackAndTheSourceRunsOn(string cipher, bool flip)
    {
        KvmHost.Require();

        // Pages 16–32 MiB hold random bytes the guest never touches, so that the fault, on the first stripe's first
        // record of those pages, lands in a page no later round sends again (the working set is 4 MiB at 1 MiB; the
        // rest is zero pages).
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var proxy = new FaultProxy(RecordFraming.Stripe) { StripeTagSize = CipherSuite.GetTagSize(cipher) };
        proxy.Arm(new FaultPlan
        {
            Kind = flip ? FaultKind.Corrupt : FaultKind.CutRst,
            Match = static r => r is { Type: (byte)RecordType.Data, Flags: 0, Position: >= 16L << 20 and < 32L << 20 }, // flags 0: guest pages
            OnFired = () => fired.TrySetResult(),
        });
        await using var hosts = new KvmHostPair(dataProxy: proxy);
        using KvmGuest source = hosts.StartOnA("kvm1", new KvmGuestOptions { MemorySize = MemorySize, Workload = KvmWorkload.Parse("dirty:8:4MiB") });
        FillRandom(source, firstPage: 4096, pageCount: 4096);
        await KvmHostPair.RunUntilWrittenAsync(source, 1024);

        await Assert.ThrowsAsync<MigrationException>(
            () => hosts.A.MigrateAsync("kvm1", source, hosts.B, KvmHostPair.Options(cipher)).WaitAsync(KvmHost.Generous));

        Assert.True(fired.Task.IsCompleted, "The migration failed before the fault fired.");
        await hosts.AssertRolledBackAsync(source, "kvm1");
    }

    private static async Task AssertRefusedBeforeMemoryMovesAsync(KvmHostPair hosts, KvmGuest source, string expected)
    {
        await Heartbeat.NextAsync(source.ConsoleLines, KvmHost.Generous);
        MigrationException refused = await Assert.ThrowsAsync<MigrationException>(
            () => hosts.A.MigrateAsync("kvm1", source, hosts.B, KvmHostPair.Options("aes-128-gcm")).WaitAsync(KvmHost.Generous));

        Assert.Equal(MigrationFailureKind.Compatibility, refused.Kind);
        string line = Assert.Single(refused.Message.Split('\n'), l => l.Contains("error:", StringComparison.Ordinal));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.False(source.Cpus.IsSuspended);
        Assert.Equal(ZoneState.Running, hosts.A.Zones.Get("kvm1").State);
        await hosts.AssertRolledBackAsync(source, "kvm1");
    }

    private static ZoneConfiguration Configure(string mismatch, KvmGuest source)
    {
        ZoneConfiguration described = KvmZoneMigration.Describe(KvmZoneHost.KernelZone("kvm1", MemorySize), source);
        switch (mismatch)
        {
            case "vcpus":
                return KvmZoneMigration.Describe(KvmZoneHost.KernelZone("kvm1", MemorySize, cpus: 2), source);
            case "memory":
                // A description from another guest than the one the zone runs on (the source's engine itself refuses a
                // capped-memory that differs from its guest's memory before it connects).
                return KvmHostPair.WithAttribute(described, KvmZoneMigration.MemoryAttribute, (2 * MemorySize).ToString(System.Globalization.CultureInfo.InvariantCulture));
            case "state-version":
                return KvmHostPair.WithAttribute(described, KvmZoneMigration.StateVersionAttribute, "2");
            case "cpuid":
                // A feature bit this host's KVM does not give its guests: the source claims to run with it.
                (int word, int bit) = source.HostFeatures.FirstClearBit() ?? throw new InvalidOperationException("This host offers every feature bit.");
                return KvmHostPair.WithAttribute(described, KvmZoneMigration.CpuidAttribute, source.CpuFeatures.WithBit(word, bit).ToString());
            default:
                return KvmZoneHost.KernelZone("kvm1", MemorySize);
        }
    }

    private static void FillRandom(KvmGuest guest, long firstPage, int pageCount)
    {
        var random = new Random(20261126);
        int run = IGuestMemory.MaxRunBytes / guest.Memory.PageSize;
        for (long page = firstPage; page < firstPage + pageCount; page += run)
        {
            random.NextBytes(guest.Memory.GetWritablePages(page, (int)Math.Min(run, firstPage + pageCount - page)));
        }
    }
}
