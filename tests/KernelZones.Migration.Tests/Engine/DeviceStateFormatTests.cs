using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Simulation;

namespace KernelZones.Migration.Tests.Engine;

/// <summary>
/// The source states its guest's device state format in the compatibility check; a destination whose guest takes
/// another refuses the zone there, before any memory moves and in a dry run too, and the source keeps running it.
/// (Guests of the same format, as every simulated pair in <see cref="LiveMigrationTests"/>, migrate as before.)
/// </summary>
public sealed class DeviceStateFormatTests
{
    private const long MemoryBytes = 16L << 20;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("kvm-x86/1")]
    [InlineData("Simulated/1")] // the simulated guest's name but for the case: formats compare byte for byte
    public async Task A_destination_guest_of_another_format_refuses_the_zone_before_any_page_moves(string destinationFormat)
    {
        FormatGuest? created = null;
        await using var fixture = new MigrationFixture(MemoryBytes, o => new MigrationDestinationOptions
        {
            Control = o.Control, DataEndPoint = o.DataEndPoint, Capabilities = o.Capabilities,
            CreateGuest = configuration => created = new FormatGuest(new InMemoryGuest(configuration.PhysicalMemory!.Value.Bytes), destinationFormat),
        });
        fixture.Guest.FillRandom(0, MemoryBytes, seed: 11);
        var before = PageDigest.Compute(fixture.Guest.Memory);
        var reports = new List<MigrationProgress>();
        var options = new MigrationOptions { Progress = new Recorder(reports) };

        var error = await Assert.ThrowsAsync<MigrationException>(() => fixture.Source.MigrateAsync("mig1", fixture.Guest, fixture.Address, fixture.Credential, options).WaitAsync(s_timeout));

        Assert.Equal(MigrationFailureKind.Compatibility, error.Kind);
        Assert.Equal($"configuration check failed:\nerror: device state format differs: '{fixture.Guest.Devices.Format}' on the source, '{destinationFormat}' on the destination", error.Message);
        lock (reports)
        {
            Assert.Contains(reports, r => r.Step == MigrationStep.CheckingCompatibility);
            Assert.DoesNotContain(reports, r => r.Step == MigrationStep.Starting || r.BytesSent > 0 || r.Round is not null);
        }

        Assert.NotNull(created);
        Assert.Equal(0, created.PagesWritten);
        Assert.Equal(ZoneState.Running, fixture.Zone.State);
        Assert.Equal(ZoneAuxiliaryState.None, fixture.Zone.AuxiliaryState);
        Assert.False(fixture.Guest.Cpus.IsSuspended);
        Assert.Equal(before, PageDigest.Compute(fixture.Guest.Memory));
        await LiveMigrationTests.AssertDestinationCleanAsync(fixture);
        Assert.True(created.Disposed, "The destination kept the guest it booted for the refused zone.");
    }

    [Fact]
    public async Task A_dry_run_finds_the_other_format_and_changes_nothing()
    {
        await using var fixture = new MigrationFixture(MemoryBytes, o => new MigrationDestinationOptions
        {
            Control = o.Control, DataEndPoint = o.DataEndPoint, Capabilities = o.Capabilities,
            CreateGuest = configuration => new FormatGuest(new InMemoryGuest(configuration.PhysicalMemory!.Value.Bytes), "kvm-x86/1"),
        });

        var error = await Assert.ThrowsAsync<MigrationException>(() => fixture.Source.MigrateAsync("mig1", fixture.Guest, fixture.Address, fixture.Credential, new MigrationOptions { DryRun = true }).WaitAsync(s_timeout));

        Assert.Equal(MigrationFailureKind.Compatibility, error.Kind);
        Assert.Contains($"error: device state format differs: '{fixture.Guest.Devices.Format}' on the source, 'kvm-x86/1' on the destination", error.Message, StringComparison.Ordinal);
        Assert.Equal(ZoneState.Running, fixture.Zone.State);
        await LiveMigrationTests.AssertDestinationCleanAsync(fixture);
    }

    [Theory]
    [InlineData("")]
    [InlineData("simulated 1")]
    [InlineData("simulated/1\nerror: forged")]
    public async Task A_source_guest_whose_format_is_not_well_formed_is_refused_before_anything_is_created_on_the_destination(string sourceFormat)
    {
        int guestsCreated = 0;
        await using var fixture = new MigrationFixture(MemoryBytes, o => new MigrationDestinationOptions
        {
            Control = o.Control, DataEndPoint = o.DataEndPoint, Capabilities = o.Capabilities,
            CreateGuest = configuration =>
            {
                Interlocked.Increment(ref guestsCreated);
                return o.CreateGuest(configuration);
            },
        });
        var source = new FormatGuest(fixture.Guest, sourceFormat); // not disposed: the fixture owns the guest

        var error = await Assert.ThrowsAsync<MigrationException>(() => fixture.Source.MigrateAsync("mig1", source, fixture.Address, fixture.Credential).WaitAsync(s_timeout));

        Assert.Equal(MigrationFailureKind.Compatibility, error.Kind);
        Assert.Contains("printable ASCII characters without spaces", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, Volatile.Read(ref guestsCreated));
        Assert.Null(fixture.DestinationHost.Find("mig1"));
        Assert.Equal(ZoneState.Running, fixture.Zone.State);
        Assert.Equal(ZoneAuxiliaryState.None, fixture.Zone.AuxiliaryState);
    }

    /// <summary>An in-memory guest whose device state claims <paramref name="format"/>; it counts the pages written into it.</summary>
    private sealed class FormatGuest(InMemoryGuest inner, string format) : IGuest, IDeviceState, IGuestMemory, IDisposable
    {
        private long _pagesWritten;
        private volatile bool _disposed;

        public long PagesWritten => Interlocked.Read(ref _pagesWritten);

        public bool Disposed => _disposed;

        public IGuestMemory Memory => this;

        public IVirtualCpus Cpus => inner.Cpus;

        public IDeviceState Devices => this;

        public IGuestThrottle? Throttle => inner.Throttle;

        public string Format => format;

        public long Size => inner.Memory.Size;

        public int PageSize => inner.Memory.PageSize;

        public long PageCount => inner.Memory.PageCount;

        public bool IsDirtyTracking => inner.Memory.IsDirtyTracking;

        public ReadOnlyMemory<byte> Capture() => inner.Devices.Capture();

        public void Restore(ReadOnlySpan<byte> state) => inner.Devices.Restore(state);

        public ReadOnlySpan<byte> GetPages(long firstPage, int pageCount) => inner.Memory.GetPages(firstPage, pageCount);

        public Span<byte> GetWritablePages(long firstPage, int pageCount)
        {
            Interlocked.Add(ref _pagesWritten, pageCount);
            return inner.Memory.GetWritablePages(firstPage, pageCount);
        }

        public void StartDirtyTracking() => inner.Memory.StartDirtyTracking();

        public long CollectDirtyPages(DirtyPageBitmap destination) => inner.Memory.CollectDirtyPages(destination);

        public void StopDirtyTracking() => inner.Memory.StopDirtyTracking();

        public void Dispose()
        {
            _disposed = true;
            inner.Dispose();
        }
    }

    private sealed class Recorder(List<MigrationProgress> reports) : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
