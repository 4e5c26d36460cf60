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

namespace KernelZones.Benchmarks.Migrate;

/// <summary>
/// <see cref="LoopbackHosts"/> for a <see cref="KvmGuest"/>: the source runs zone <c>kvmbench</c> on a KVM guest whose
/// machine its configuration describes, the destination's guests come from <see cref="KvmZoneMigration.DestinationGuests"/>.
/// Both guests' console lines are read as they arrive, so that the last heartbeat on the source and the first on the
/// destination carry the time they were printed (to a thread wake-up).
/// </summary>
internal sealed class KvmLoopbackHosts : IAsyncDisposable
{
    public const string ZoneName = "kvmbench";

    private readonly string _directory = Directory.CreateTempSubdirectory("kz-kvm-bench-").FullName;
    private readonly ServerIdentity _identity;
    private readonly ClientKey _key = ClientKey.Generate("bench");
    private readonly MigrationSource _source;
    private readonly Task _sourceLines;
    private readonly TaskCompletionSource<(long Timestamp, string Line)> _firstArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _sourceRunning = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSourceLine;
    private int _sourceLineCount;
    private KvmGuest? _arrived;

    public KvmLoopbackHosts(KvmGuestOptions options)
    {
        _identity = ServerIdentity.LoadOrCreate(Path.Combine(_directory, "identity"), "kz-kvm-bench");
        var users = UserDatabase.Parse(UserDatabase.FormatEntry("root", ZoneAuthorization.All, null))
            .WithAuthorizedKeys("root", AuthorizedKeys.Parse(_key.PublicKey.ToString()));
        Func<ZoneConfiguration, IGuest> create = KvmZoneMigration.DestinationGuests();
        Destination = new MigrationDestination(DestinationHost, new MigrationDestinationOptions
        {
            Control = new ControlServiceOptions { ListenAddress = IPAddress.Loopback, Port = 0, Identity = _identity, Users = users, Offer = new HostOffer { AllowNone = true } },
            DataEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Capabilities = new DestinationCapabilities { FreeMemoryBytes = long.MaxValue }, // the benchmark's guests fit by construction
            CreateGuest = configuration =>
            {
                var guest = (KvmGuest)create(configuration);
                _arrived = guest;
                _ = WatchFirstLineAsync(guest);
                return guest;
            },
        });
        Destination.Start();
        string knownHosts = Path.Combine(_directory, "known_hosts");
        File.WriteAllText(knownHosts, $"127.0.0.1:{Destination.ControlPort} {_identity.Fingerprint}\n");

        Guest = KvmGuest.Create(options);
        var zone = SourceHost.Configure(KvmZoneMigration.Describe(Configuration(options.MemorySize), Guest));
        zone.Install();
        zone.Boot();
        _sourceLines = WatchSourceAsync(Guest);
        _source = new MigrationSource(SourceHost, new ControlClientOptions { KnownHostsPath = knownHosts, Offer = new HostOffer { AllowNone = true } });
    }

    public ZoneHost SourceHost { get; } = new();

    public ZoneHost DestinationHost { get; } = new();

    public MigrationDestination Destination { get; }

    public KvmGuest Guest { get; }

    /// <summary>The <see cref="Stopwatch"/> timestamp of the source's latest console line.</summary>
    public long LastSourceLine => Interlocked.Read(ref _lastSourceLine);

    /// <summary>Completes once the source guest has printed 50 heartbeats (half a second of guest time at the default interval).</summary>
    public Task SourceRunning => _sourceRunning.Task;

    /// <summary>The destination guest's first console line and its <see cref="Stopwatch"/> timestamp.</summary>
    public Task<(long Timestamp, string Line)> FirstArrivedLine => _firstArrived.Task;

    public Task<MigrationResult> MigrateAsync(MigrationOptions options) =>
        _source.MigrateAsync(ZoneName, Guest, RemoteAddress.Parse($"ssh://root@127.0.0.1:{Destination.ControlPort}"), ControlCredential.FromKey("root", _key), options);

    public async ValueTask DisposeAsync()
    {
        await Destination.DisposeAsync();
        Guest.Dispose();
        _arrived?.Dispose();
        await _sourceLines.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _identity.Dispose();
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
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

    private static ZoneConfiguration Configuration(long memoryBytes) =>
        new ZoneConfigurationBuilder(ZoneName)
            .SetProperty("brand", "solaris-kz")
            .AddResource("anet", ("id", "0"), ("lower-link", "auto"))
            .AddResource("device", ("storage", "nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}"), ("id", "0"), ("bootpri", "0"))
            .AddResource("virtual-cpu", ("ncpus", "1"))
            .AddResource("capped-memory", ("physical", new MemorySize(memoryBytes).ToString()))
            .Build();
}
