using System.Diagnostics;
using System.Globalization;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Simulation;
using KernelZones.Migration.Tests.Reliability;

// Every await here is bounded by WaitAsync; the test token adds nothing.
#pragma warning disable xUnit1051

namespace KernelZones.Migration.Tests.Hostile;

/// <summary>
/// A busy zone moved back and forth between two hosts (50 moves; <c>KZ_SOAK_MOVES</c> for more): every arrival equals the
/// source at suspension, and neither open files nor memory grow with the number of moves.
/// </summary>
[Collection(ProcessWideMeasurements.Name)]
public sealed class SoakTests : IDisposable
{
    private const string Zone = "soak1";
    private static readonly TimeSpan s_move = TimeSpan.FromSeconds(60);
    private readonly string _knownHosts = Path.GetTempFileName();

    /// <summary>Moves made: <c>KZ_SOAK_MOVES</c> when set to a positive number, otherwise 50.</summary>
    public static int Moves => int.TryParse(Environment.GetEnvironmentVariable("KZ_SOAK_MOVES"), out int moves) && moves > 0 ? moves : 50;

    [Fact]
    public async Task A_busy_zone_moved_back_and_forth_arrives_intact_every_time_without_growing_files_or_memory()
    {
        await using var first = new TestHost("kz-a", _knownHosts);
        await using var second = new TestHost("kz-b", _knownHosts);
        first.AddZone(Zone, 16L << 20).FillRandom(0, 12L << 20, seed: 50);
        const int warmUp = 4;
        MemoryFootprint baseline = default;
        var clock = Stopwatch.StartNew();

        for (int move = 0; move < Moves; move++)
        {
            (TestHost from, TestHost to) = move % 2 == 0 ? (first, second) : (second, first);
            await MoveAsync(from, to, move);
            if (move == warmUp - 1)
            {
                baseline = MemoryFootprint.Measure();
            }

            if (move % 10 == 9)
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"after {move + 1} moves: {MemoryFootprint.Measure(collect: false)}");
            }
        }

        MemoryFootprint end = MemoryFootprint.Measure();
        TestContext.Current.TestOutputHelper?.WriteLine($"{Moves} moves in {clock.Elapsed.TotalSeconds:0.0} s; after {warmUp} moves: {baseline}; at the end: {end}");
        ReliabilityReport.RecordFigure("Soak", "moves (each verified byte for byte)", Moves.ToString(CultureInfo.InvariantCulture));
        ReliabilityReport.RecordFigure("Soak", "time (s)", clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
        ReliabilityReport.RecordFigure("Soak", "open files before / after", $"{baseline.OpenFiles} / {end.OpenFiles}");
        ReliabilityReport.RecordFigure("Soak", "managed heap growth (MiB)", ((end.ManagedBytes - baseline.ManagedBytes) >> 20).ToString(CultureInfo.InvariantCulture));
        Assert.True(end.OpenFiles - baseline.OpenFiles <= 16, $"open files grew from {baseline.OpenFiles} to {end.OpenFiles} over {Moves - warmUp} moves");
        Assert.True(end.ManagedBytes - baseline.ManagedBytes < 32L << 20, $"managed heap grew by {(end.ManagedBytes - baseline.ManagedBytes) >> 20} MiB over {Moves - warmUp} moves");
        // The working set climbs to a plateau and stays there (about +270 MiB, flat from ~60 moves on over 200 moves; allocator
        // arenas holding freed 16 MiB guests, buffer pools, GC budget); leaking one guest per move would exceed this bound.
        Assert.True(end.WorkingSetBytes - baseline.WorkingSetBytes < 512L << 20, $"working set grew by {(end.WorkingSetBytes - baseline.WorkingSetBytes) >> 20} MiB over {Moves - warmUp} moves");
    }

    public void Dispose() => File.Delete(_knownHosts);

    private static async Task MoveAsync(TestHost from, TestHost to, int move)
    {
        InMemoryGuest guest = from.Guest(Zone);
        using (var workload = new GuestWorkload(guest, new GuestWorkloadOptions { DirtyMiBPerSecond = 16, WorkingSetBytes = 4L << 20, Seed = move }))
        {
            workload.Start();
            MigrationResult result = await from.MigrateAsync(Zone, to).WaitAsync(s_move);
            Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
        }

        // The source guest is suspended since the switchover: its memory is the zone's memory at suspension.
        Assert.True(guest.Cpus.IsSuspended, $"move {move}: the source guest runs on");
        InMemoryGuest arrived = from.HandOver(Zone, to);
        Assert.True(PageDigest.Compute(guest.Memory) == PageDigest.Compute(arrived.Memory), $"move {move}: the arrived memory differs from the source's at suspension");
        Assert.True(guest.Devices.Capture().Span.SequenceEqual(arrived.Devices.Capture().Span), $"move {move}: device state differs");
        Assert.Equal(ZoneState.Running, to.Zones.Get(Zone).State);
        Assert.Equal(ZoneState.Configured, from.Zones.Get(Zone).State);
        from.ReleaseRetiredGuests();
    }
}
