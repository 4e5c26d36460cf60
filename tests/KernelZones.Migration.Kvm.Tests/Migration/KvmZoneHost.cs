using System.Globalization;
using System.Net;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;

namespace KernelZones.Migration.Kvm.Tests.Migration;

/// <summary>
/// One host in the test process with both roles over 127.0.0.1 and real TLS: destination services whose guests are
/// <see cref="KvmGuest"/>s made by <see cref="KvmZoneMigration.DestinationGuests"/>, and a source for its zones. Hosts
/// made with the same known-hosts file trust each other; both allow the cipher <c>none</c>.
/// </summary>
internal sealed class KvmZoneHost : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ServerIdentity _identity;

    public KvmZoneHost(string name, string knownHostsPath, ClientKey key, KvmGuestOptions? template = null, int advertisedDataPort = 0, TimeSpan? readinessTimeout = null, TimeSpan? idleTimeout = null)
    {
        Func<ZoneConfiguration, IGuest> guests = KvmZoneMigration.DestinationGuests(template);
        Credential = ControlCredential.FromKey("root", key);
        _directory = Directory.CreateTempSubdirectory($"kz-kvm-{name}-").FullName;
        _identity = ServerIdentity.LoadOrCreate(Path.Combine(_directory, "identity"), name);
        var users = UserDatabase.Parse(UserDatabase.FormatEntry("root", ZoneAuthorization.All, null))
            .WithAuthorizedKeys("root", AuthorizedKeys.Parse(key.PublicKey.ToString()));
        Destination = new MigrationDestination(Zones, new MigrationDestinationOptions
        {
            Control = new ControlServiceOptions { ListenAddress = IPAddress.Loopback, Port = 0, Identity = _identity, Users = users, Offer = new HostOffer { HostName = name, AllowNone = true } },
            DataEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            AdvertisedDataPort = advertisedDataPort,
            CreateGuest = configuration =>
            {
                IGuest guest = guests(configuration);
                return WrapGuest is { } wrap && guest is KvmGuest kvm ? wrap(configuration, kvm) : guest;
            },
            Capabilities = new DestinationCapabilities { FreeMemoryBytes = 16L << 30 },
            StripeWait = TimeSpan.FromSeconds(10),
            ReadinessTimeout = readinessTimeout ?? TimeSpan.FromSeconds(5),
        });
        Destination.Start();
        Trust(knownHostsPath, Destination.ControlPort);
        Source = new MigrationSource(Zones, new ControlClientOptions
        {
            KnownHostsPath = knownHostsPath,
            Offer = new HostOffer { HostName = name, AllowNone = true },
            IdleTimeout = idleTimeout ?? new ControlClientOptions().IdleTimeout,
        });
    }

    public ZoneHost Zones { get; } = new();

    /// <summary>What the destination boots a migrating-in zone on instead of the KVM guest it made (a test's wrapper); null: the guest itself.</summary>
    public Func<ZoneConfiguration, KvmGuest, IGuest>? WrapGuest { get; set; }

    public MigrationDestination Destination { get; }

    public MigrationSource Source { get; }

    public RemoteAddress Address => RemoteAddress.Parse($"ssh://root@127.0.0.1:{Destination.ControlPort}");

    /// <summary>How this host's source signs in to the other hosts (the key every host of the pair accepts).</summary>
    public ControlCredential Credential { get; }

    /// <summary>A live-migratable kernel zone of <paramref name="memoryBytes"/> and <paramref name="cpus"/> vCPUs, not yet described.</summary>
    public static ZoneConfiguration KernelZone(string zoneName, long memoryBytes, int cpus = 1) =>
        new ZoneConfigurationBuilder(zoneName)
            .SetProperty("brand", "solaris-kz")
            .AddResource("anet", ("id", "0"), ("lower-link", "auto"))
            .AddResource("device", ("storage", "nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}"), ("id", "0"), ("bootpri", "0"))
            .AddResource("virtual-cpu", ("ncpus", cpus.ToString(CultureInfo.InvariantCulture)))
            .AddResource("capped-memory", ("physical", new MemorySize(memoryBytes).ToString()))
            .Build();

    /// <summary>Configures, installs and boots <paramref name="configuration"/> here (the guest runs already).</summary>
    public void Boot(ZoneConfiguration configuration)
    {
        Zone zone = Zones.Configure(configuration);
        zone.Install();
        zone.Boot();
    }

    public Task<MigrationResult> MigrateAsync(string zoneName, IGuest guest, KvmZoneHost to, MigrationOptions options, CancellationToken cancellationToken = default) =>
        MigrateAsync(zoneName, guest, to.Address, options, cancellationToken);

    public Task<MigrationResult> MigrateAsync(string zoneName, IGuest guest, RemoteAddress to, MigrationOptions options, CancellationToken cancellationToken = default) =>
        Source.MigrateAsync(zoneName, guest, to, Credential, options, cancellationToken);

    /// <summary>Lists this host's control service as reachable at 127.0.0.1:<paramref name="port"/> (itself, or a relay in front of it).</summary>
    public void Trust(string knownHostsPath, int port) => File.AppendAllText(knownHostsPath, $"127.0.0.1:{port} {_identity.Fingerprint}\n");

    /// <summary>The guest a zone migrated into this host runs on.</summary>
    public KvmGuest Arrived(string zoneName) =>
        (KvmGuest)(Destination.FindGuest(zoneName) ?? throw new InvalidOperationException($"{zoneName} did not arrive"));

    public async ValueTask DisposeAsync()
    {
        await Destination.DisposeAsync();
        _identity.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
