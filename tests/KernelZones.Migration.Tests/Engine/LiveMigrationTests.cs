using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Simulation;
using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Tests.Engine;

public sealed class LiveMigrationTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    private static readonly string[] s_steps =
    [
        "Importing zone configuration.", "Attaching zone.", "Booting zone in 'migrating-in' mode.", "Checking migration compatibility.",
        "Starting migration.", "Suspending zone on source host.", "Waiting for migration to complete.", "Migration successful.",
        "Halting and detaching zone on source host.",
    ];

    public static TheoryData<string> Ciphers => new(CipherSuite.Supported);

    [Theory]
    [MemberData(nameof(Ciphers))]
    public async Task An_idle_guest_arrives_byte_for_byte_with_its_device_state(string cipher)
    {
        await using var fixture = new MigrationFixture(64L << 20);
        fixture.Guest.FillRandom(0, 40L << 20, seed: 1);
        fixture.Guest.FillRandom(60L << 20, 4096, seed: 2);

        var result = await fixture.MigrateAsync(new MigrationOptions { Cipher = cipher }).WaitAsync(s_timeout);

        Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
        Assert.Equal(cipher, result.Cipher);
        AssertMigrated(fixture);
        Assert.Equal(s_steps.Select(s => $"zoneadm: zone 'mig1': {s}"), fixture.Messages);
        Assert.True(result.Rounds[0].ZeroPages > 0, "round 0 sends zero pages as ranges");
        Assert.Equal((64L << 20) / 4096, result.Rounds[0].DataPages + result.Rounds[0].ZeroPages);
    }

    [Fact]
    public async Task A_busy_guest_converges_and_arrives_as_it_was_at_suspension()
    {
        await using var fixture = new MigrationFixture(256L << 20);
        fixture.Guest.FillRandom(0, 128L << 20, seed: 3);
        using var workload = new GuestWorkload(fixture.Guest, new GuestWorkloadOptions { DirtyMiBPerSecond = 64, WorkingSetBytes = 32L << 20 });
        workload.Start();

        var result = await fixture.MigrateAsync().WaitAsync(s_timeout);

        Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
        Assert.True(result.Rounds.Count >= 2, "pages dirtied during round 0 are sent again");
        Assert.True(fixture.Guest.Cpus.IsSuspended);
        AssertMigrated(fixture);
    }

    [Fact]
    public async Task A_dry_run_checks_everything_and_leaves_both_hosts_as_they_were()
    {
        await using var fixture = new MigrationFixture(16L << 20);

        var result = await fixture.MigrateAsync(new MigrationOptions { DryRun = true }).WaitAsync(s_timeout);

        Assert.Equal(MigrationOutcome.DryRunSucceeded, result.Outcome);
        Assert.Equal(
            ["Importing zone configuration.", "Attaching zone.", "Booting zone in 'migrating-in' mode.", "Checking migration compatibility.", "Cleaning up.", "Dry-run migration successful."],
            fixture.Messages.Select(m => m["zoneadm: zone 'mig1': ".Length..]));
        Assert.Equal(ZoneState.Running, fixture.Zone.State);
        await AssertDestinationCleanAsync(fixture);
    }

    [Fact]
    public async Task A_guest_larger_than_4_GiB_keeps_pages_beyond_the_boundary()
    {
        await using var fixture = new MigrationFixture(5L << 30);
        long[] offsets = [0, (4L << 30) - 4096, 4L << 30, (4L << 30) + (512L << 20), (5L << 30) - 4096];
        foreach (long offset in offsets)
        {
            fixture.Guest.FillRandom(offset, 4096, seed: (int)(offset >> 12));
        }

        var result = await fixture.MigrateAsync().WaitAsync(TimeSpan.FromMinutes(4));

        Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
        var arrived = fixture.Destination.FindGuest("mig1")!.Memory;
        foreach (long offset in offsets)
        {
            Assert.True(fixture.Guest.Memory.GetPages(offset / 4096, 1).SequenceEqual(arrived.GetPages(offset / 4096, 1)), $"page at {offset:x}");
        }

        Assert.Equal(PageDigest.Compute(fixture.Guest.Memory), PageDigest.Compute(arrived));
    }

    internal static void AssertMigrated(MigrationFixture fixture)
    {
        var arrived = fixture.Destination.FindGuest("mig1") ?? throw new Xunit.Sdk.XunitException("the destination runs no mig1 guest");
        Assert.Equal(fixture.Guest.Memory.Size, arrived.Memory.Size);
        for (long page = 0; page < fixture.Guest.Memory.PageCount; page += 256)
        {
            int count = (int)Math.Min(256, fixture.Guest.Memory.PageCount - page);
            Assert.True(fixture.Guest.Memory.GetPages(page, count).SequenceEqual(arrived.Memory.GetPages(page, count)), $"pages {page}..{page + count} differ");
        }

        Assert.True(fixture.Guest.Devices.Capture().Span.SequenceEqual(arrived.Devices.Capture().Span), "device state differs");
        Assert.Equal(ZoneState.Configured, fixture.Zone.State);
        var destinationZone = fixture.DestinationHost.Get("mig1");
        Assert.Equal(ZoneState.Running, destinationZone.State);
        Assert.Equal(ZoneAuxiliaryState.None, destinationZone.AuxiliaryState);
    }

    internal static async Task AssertDestinationCleanAsync(MigrationFixture fixture)
    {
        // The destination discards after the source has gone; wait for its handler to finish, bounded.
        for (int i = 0; i < 200 && fixture.DestinationHost.Find("mig1") is not null; i++)
        {
            await Task.Delay(25);
        }

        Assert.Null(fixture.DestinationHost.Find("mig1"));
        Assert.Null(fixture.Destination.FindGuest("mig1"));
    }
}
