using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation;

namespace KernelZones.Migration.Tests.Engine;

/// <summary>
/// A destination guest whose memory is backed in the background (<c>populate: true</c>) is waited for before the
/// first page arrives: the population starts at boot and overlaps the rest of the setup, never the transfer.
/// </summary>
public sealed class DestinationPopulationTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan s_grace = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task No_page_lands_before_the_destination_guest_is_populated()
    {
        var created = new TaskCompletionSource<GatedGuest>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var fixture = new MigrationFixture(16L << 20, o => new MigrationDestinationOptions
        {
            Control = o.Control,
            DataEndPoint = o.DataEndPoint,
            Capabilities = o.Capabilities,
            CreateGuest = configuration =>
            {
                var guest = new GatedGuest(new InMemoryGuest(configuration.PhysicalMemory!.Value.Bytes));
                created.SetResult(guest);
                return guest;
            },
        });
        fixture.Guest.FillRandom(0, 8L << 20, seed: 3);

        var migration = fixture.MigrateAsync();
        var guest = await created.Task.WaitAsync(s_timeout);
        await guest.Memory.Waited.WaitAsync(s_timeout); // the destination is waiting for the population now

        // A destination that answered StartTransfer without waiting would have the source's first pages land within
        // milliseconds: give it that chance (ended early by the first write), then let the population complete.
        await Task.WhenAny(guest.Memory.FirstWrite, Task.Delay(s_grace));
        guest.Memory.Open();
        var result = await migration.WaitAsync(s_timeout);

        Assert.Equal(MigrationOutcome.Succeeded, result.Outcome);
        Assert.True(guest.Memory.PagesWritten > 0, "the test guest saw no page arrive");
        Assert.Equal(0, guest.Memory.PagesWrittenBeforePopulated);
        LiveMigrationTests.AssertMigrated(fixture);
    }

    /// <summary>An in-memory guest whose population the test completes; it counts the pages written before that.</summary>
    private sealed class GatedGuest(InMemoryGuest inner) : IGuest, IDisposable
    {
        public GatedMemory Memory { get; } = new(inner.SimulatedMemory);

        IGuestMemory IGuest.Memory => Memory;

        public IVirtualCpus Cpus => inner.Cpus;

        public IDeviceState Devices => inner.Devices;

        public IGuestThrottle? Throttle => inner.Throttle;

        public void Dispose() => inner.Dispose();
    }

    private sealed class GatedMemory(InMemoryGuestMemory inner) : IGuestMemory, IBackgroundPopulation
    {
        private readonly TaskCompletionSource _populated = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _waited = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _pagesWritten;
        private long _pagesWrittenBeforePopulated;

        /// <summary>Completes when the destination first asks for <see cref="Populated"/>.</summary>
        public Task Waited => _waited.Task;

        /// <summary>Completes when the destination first asks for writable pages.</summary>
        public Task FirstWrite => _firstWrite.Task;

        public long PagesWritten => Interlocked.Read(ref _pagesWritten);

        public long PagesWrittenBeforePopulated => Interlocked.Read(ref _pagesWrittenBeforePopulated);

        public Task Populated
        {
            get
            {
                _waited.TrySetResult();
                return _populated.Task;
            }
        }

        public long Size => inner.Size;

        public int PageSize => inner.PageSize;

        public long PageCount => inner.PageCount;

        public bool IsDirtyTracking => inner.IsDirtyTracking;

        public void Open() => _populated.SetResult();

        public ReadOnlySpan<byte> GetPages(long firstPage, int pageCount) => inner.GetPages(firstPage, pageCount);

        public Span<byte> GetWritablePages(long firstPage, int pageCount)
        {
            if (!_populated.Task.IsCompleted)
            {
                Interlocked.Add(ref _pagesWrittenBeforePopulated, pageCount);
            }

            Interlocked.Add(ref _pagesWritten, pageCount);
            _firstWrite.TrySetResult();
            return inner.GetWritablePages(firstPage, pageCount);
        }

        public void StartDirtyTracking() => inner.StartDirtyTracking();

        public long CollectDirtyPages(DirtyPageBitmap destination) => inner.CollectDirtyPages(destination);

        public void StopDirtyTracking() => inner.StopDirtyTracking();
    }
}
