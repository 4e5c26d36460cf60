using System.Diagnostics;
using System.Net;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Kvm;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Simulation;
using KernelZones.Samples;

namespace KernelZones.Benchmarks.Migrate;

/// <summary>
/// Two hosts in one process over loopback, through the public API only: a destination (control service with a
/// generated TLS identity, data service) and a source running zone <c>bench1</c> on a guest of the given kind. The
/// source authenticates with a key (one ECDSA signature), not a password, so that PBKDF2 does not show up in the
/// migration's total time.
/// </summary>
/// <remarks>
/// <para>A simulated source guest (4 vCPUs) runs its workload from the migration's start; the destination populates
/// its guest's memory from the moment the zone boots in migrating-in mode, as a kernel zone's memory is reserved at
/// boot, and waits for it before the first page is due: what of it the rest of the setup does not hide is in the
/// setup time.</para>
/// <para>A KVM source guest (1 vCPU) runs the guest program, dirtying at the workload's rate over a working set of its
/// size from the start; its configuration describes its machine, and the destination's guests come from
/// <see cref="KvmZoneMigration.DestinationGuests"/>. Both guests' console lines are read as they arrive, so that the
/// last heartbeat on the source and the first on the destination carry the time they were printed (to a thread wake-up).</para>
/// </remarks>
internal sealed class LoopbackHosts : IAsyncDisposable
{
    public const string ZoneName = "bench1";

    private readonly string _directory = Directory.CreateTempSubdirectory("kz-bench-").FullName;
    private readonly ServerIdentity _identity;
    private readonly ClientKey _key = ClientKey.Generate("bench");
    private readonly MigrationSource _source;
    private readonly GuestWorkload? _workload;
    private readonly Task _sourceLines = Task.CompletedTask;
    private readonly TaskCompletionSource<(long Timestamp, string Line)> _firstArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _sourceRunning = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSourceLine;
    private int _sourceLineCount;

    /// <param name="kind">What the zone runs on, on both hosts.</param>
    /// <param name="memoryBytes">The zone's memory.</param>
    /// <param name="workload">How the source guest dirties its memory; null for an idle guest. A KVM guest takes the rate and the working set's size (its program places the working set itself).</param>
    /// <param name="workingSetOffset">Where a simulated guest's working set starts, in bytes.</param>
    public LoopbackHosts(GuestKind kind, long memoryBytes, WorkloadSpec? workload = null, long workingSetOffset = 0)
    {
        _identity = ServerIdentity.LoadOrCreate(Path.Combine(_directory, "identity"), "kz-bench");
        var users = UserDatabase.Parse(UserDatabase.FormatEntry("root", ZoneAuthorization.All, null))
            .WithAuthorizedKeys("root", AuthorizedKeys.Parse(_key.PublicKey.ToString()));
        Destination = new MigrationDestination(DestinationHost, new MigrationDestinationOptions
        {
            Control = new ControlServiceOptions { ListenAddress = IPAddress.Loopback, Port = 0, Identity = _identity, Users = users, Offer = new HostOffer { AllowNone = true } },
            DataEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            CreateGuest = kind == GuestKind.Kvm ? ArrivingKvmGuests() : configuration => new InMemoryGuest(configuration.PhysicalMemory!.Value.Bytes, populate: true),
            Capabilities = new DestinationCapabilities { FreeMemoryBytes = long.MaxValue }, // the benchmark's guests fit by construction
        });
        Destination.Start();
        string knownHosts = Path.Combine(_directory, "known_hosts");
        File.WriteAllText(knownHosts, $"127.0.0.1:{Destination.ControlPort} {_identity.Fingerprint}\n");

        ZoneConfiguration configuration;
        if (kind == GuestKind.Kvm)
        {
            var vm = KvmGuest.Create(new KvmGuestOptions
            {
                MemorySize = memoryBytes,
                Workload = WorkloadSpec.ForKvmGuest(workload),
            });
            Guest = vm;
            configuration = KvmZoneMigration.Describe(Configuration(memoryBytes, cpus: 1), vm);
            _sourceLines = WatchSourceAsync(vm);
        }
        else
        {
            var simulated = new InMemoryGuest(memoryBytes);
            Guest = simulated;
            configuration = Configuration(memoryBytes, cpus: 4);
            _workload = workload is null ? null : new GuestWorkload(simulated, workload.ForSimulatedGuest(workingSetOffset));
            _sourceRunning.SetResult();
        }

        var zone = SourceHost.Configure(configuration);
        zone.Install();
        zone.Boot();
        _source = new MigrationSource(SourceHost, new ControlClientOptions { KnownHostsPath = knownHosts, Offer = new HostOffer { AllowNone = true } });
    }

    public ZoneHost SourceHost { get; } = new();

    public ZoneHost DestinationHost { get; } = new();

    public MigrationDestination Destination { get; }

    /// <summary>The source's guest: an <see cref="InMemoryGuest"/> or a <see cref="KvmGuest"/>.</summary>
    public IGuest Guest { get; }

    /// <summary>The <see cref="Stopwatch"/> timestamp of the source's latest console line (a KVM guest's).</summary>
    public long LastSourceLine => Interlocked.Read(ref _lastSourceLine);

    /// <summary>Completes once a KVM source guest has printed 50 heartbeats (half a second of guest time); at once for a simulated one.</summary>
    public Task SourceRunning => _sourceRunning.Task;

    /// <summary>The destination's KVM guest's first console line and its <see cref="Stopwatch"/> timestamp.</summary>
    public Task<(long Timestamp, string Line)> FirstArrivedLine => _firstArrived.Task;

    /// <summary>Starts a simulated guest's workload, then migrates the zone to the destination.</summary>
    public Task<MigrationResult> MigrateAsync(MigrationOptions options)
    {
        _workload?.Start();
        return _source.MigrateAsync(ZoneName, Guest, RemoteAddress.Parse($"ssh://root@127.0.0.1:{Destination.ControlPort}"), ControlCredential.FromKey("root", _key), options);
    }

    public async ValueTask DisposeAsync()
    {
        _workload?.Dispose();
        await Destination.DisposeAsync();
        (Destination.FindGuest(ZoneName) as IDisposable)?.Dispose();
        (Guest as IDisposable)?.Dispose();
        await _sourceLines.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _identity.Dispose();
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The samples' example zone, named <see cref="ZoneName"/>, with the given memory and vCPUs.</summary>
    private static ZoneConfiguration Configuration(long memoryBytes, int cpus) =>
        ZoneConfiguration.ParseExport(ExampleZone.Export(new MemorySize(memoryBytes).ToString(), cpus), ZoneName);

    /// <summary>The destination's KVM guests, each watched for its first console line.</summary>
    private Func<ZoneConfiguration, IGuest> ArrivingKvmGuests()
    {
        Func<ZoneConfiguration, IGuest> create = KvmZoneMigration.DestinationGuests();
        return configuration =>
        {
            var guest = (KvmGuest)create(configuration);
            _ = WatchFirstLineAsync(guest);
            return guest;
        };
    }

    private async Task WatchSourceAsync(KvmGuest guest)
    {
        await foreach (string line in guest.ConsoleLines.ReadAllAsync())
        {
            Interlocked.Exchange(ref _lastSourceLine, Stopwatch.GetTimestamp());
            if (++_sourceLineCount == 50)
            {
                _sourceRunning.TrySetResult();
            }

            if (!line.EndsWith(" ok", StringComparison.Ordinal))
            {
                Console.WriteLine($"  source guest: {line}");
            }
        }
    }

    private async Task WatchFirstLineAsync(KvmGuest guest)
    {
        try
        {
            string line = await guest.ConsoleLines.ReadAsync();
            _firstArrived.TrySetResult((Stopwatch.GetTimestamp(), line));
        }
        catch (Exception ex) when (ex is System.Threading.Channels.ChannelClosedException or OperationCanceledException)
        {
            _firstArrived.TrySetException(ex);
        }
    }
}
