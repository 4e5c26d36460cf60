using System.Net;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Simulation;

namespace KernelZones.Benchmarks.Migrate;

/// <summary>
/// Two hosts in one process over loopback, through the public API only: a destination (control service with a
/// generated TLS identity, data service) and a source running zone <c>bench1</c> on an <see cref="InMemoryGuest"/>.
/// The source authenticates with a key (one ECDSA signature), not a password, so that PBKDF2 does not show up
/// in the migration's total time. The destination populates its guest's memory from the moment the zone boots in
/// migrating-in mode, as a kernel zone's memory is reserved at boot, and waits for it before the first page is due:
/// what of it the rest of the setup does not hide is in the setup time.
/// </summary>
internal sealed class LoopbackHosts : IAsyncDisposable
{
    public const string ZoneName = "bench1";

    private readonly string _directory = Directory.CreateTempSubdirectory("kz-bench-").FullName;
    private readonly ServerIdentity _identity;
    private readonly ClientKey _key = ClientKey.Generate("bench");
    private readonly MigrationSource _source;

    public LoopbackHosts(long memoryBytes)
    {
        _identity = ServerIdentity.LoadOrCreate(Path.Combine(_directory, "identity"), "kz-bench");
        var users = UserDatabase.Parse(UserDatabase.FormatEntry("root", ZoneAuthorization.All, null))
            .WithAuthorizedKeys("root", AuthorizedKeys.Parse(_key.PublicKey.ToString()));
        Destination = new MigrationDestination(DestinationHost, new MigrationDestinationOptions
        {
            Control = new ControlServiceOptions { ListenAddress = IPAddress.Loopback, Port = 0, Identity = _identity, Users = users, Offer = new HostOffer { AllowNone = true } },
            DataEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            CreateGuest = configuration => new InMemoryGuest(configuration.PhysicalMemory!.Value.Bytes, populate: true),
            Capabilities = new DestinationCapabilities { FreeMemoryBytes = long.MaxValue }, // the benchmark's guests fit by construction
        });
        Destination.Start();
        string knownHosts = Path.Combine(_directory, "known_hosts");
        File.WriteAllText(knownHosts, $"127.0.0.1:{Destination.ControlPort} {_identity.Fingerprint}\n");

        Guest = new InMemoryGuest(memoryBytes);
        var zone = SourceHost.Configure(Configuration(memoryBytes));
        zone.Install();
        zone.Boot();
        _source = new MigrationSource(SourceHost, new ControlClientOptions { KnownHostsPath = knownHosts, Offer = new HostOffer { AllowNone = true } });
    }

    public ZoneHost SourceHost { get; } = new();

    public ZoneHost DestinationHost { get; } = new();

    public MigrationDestination Destination { get; }

    public InMemoryGuest Guest { get; }

    public Task<MigrationResult> MigrateAsync(MigrationOptions options) =>
        _source.MigrateAsync(ZoneName, Guest, RemoteAddress.Parse($"ssh://root@127.0.0.1:{Destination.ControlPort}"), ControlCredential.FromKey("root", _key), options);

    public async ValueTask DisposeAsync()
    {
        await Destination.DisposeAsync();
        (Destination.FindGuest(ZoneName) as IDisposable)?.Dispose();
        Guest.Dispose();
        _identity.Dispose();
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static ZoneConfiguration Configuration(long memoryBytes) =>
        new ZoneConfigurationBuilder(ZoneName)
            .SetProperty("brand", "solaris-kz")
            .AddResource("anet", ("id", "0"), ("lower-link", "auto"))
            .AddResource("device", ("storage", "nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}"), ("id", "0"), ("bootpri", "0"))
            .AddResource("virtual-cpu", ("ncpus", "4"))
            .AddResource("capped-memory", ("physical", new MemorySize(memoryBytes).ToString()))
            .Build();
}
