using System.Net;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Simulation;

namespace KernelZones.Migration.Tests.Hostile;

/// <summary>
/// One host in the test process with both roles: its zones, the destination services on 127.0.0.1 and a source that can
/// migrate its zones to any other <see cref="TestHost"/> sharing the same known-hosts file. Tracks which in-memory guest
/// runs each of its zones.
/// </summary>
internal sealed class TestHost : IAsyncDisposable
{
    public const string Password = "migrate me";
    private readonly string _directory;
    private readonly ServerIdentity _identity;
    private readonly Dictionary<string, InMemoryGuest> _running = new(StringComparer.Ordinal);
    private readonly List<InMemoryGuest> _retired = [];

    public TestHost(string name, string knownHostsPath, Func<MigrationDestinationOptions, MigrationDestinationOptions>? configure = null)
    {
        _directory = Directory.CreateTempSubdirectory($"kz-{name}-").FullName;
        _identity = ServerIdentity.LoadOrCreate(Path.Combine(_directory, "identity"), name);
        var users = UserDatabase.Parse(UserDatabase.FormatEntry("root", ZoneAuthorization.All, PasswordVerifier.CreateUnchecked(Password, 1000)), "users", 1000);
        var options = new MigrationDestinationOptions
        {
            Control = new ControlServiceOptions { ListenAddress = IPAddress.Loopback, Port = 0, Identity = _identity, Users = users, Offer = new HostOffer { HostName = name, AllowNone = true } },
            DataEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            CreateGuest = configuration => new InMemoryGuest(configuration.PhysicalMemory!.Value.Bytes),
            Capabilities = new DestinationCapabilities { FreeMemoryBytes = long.MaxValue },
        };
        Destination = new MigrationDestination(Zones, configure?.Invoke(options) ?? options);
        Destination.Start();
        File.AppendAllText(knownHostsPath, $"127.0.0.1:{Destination.ControlPort} {_identity.Fingerprint}\n");
        Source = new MigrationSource(Zones, new ControlClientOptions { KnownHostsPath = knownHostsPath, Offer = new HostOffer { HostName = name, AllowNone = true } });
    }

    public ZoneHost Zones { get; } = new();

    public MigrationDestination Destination { get; }

    public MigrationSource Source { get; }

    public RemoteAddress Address => RemoteAddress.Parse($"rads://root@127.0.0.1:{Destination.ControlPort}");

    public static ControlCredential Credential => ControlCredential.FromPassword("root", Password);

    /// <summary>Configures, installs and boots a migratable zone on a fresh guest of <paramref name="memoryBytes"/>.</summary>
    public InMemoryGuest AddZone(string zoneName, long memoryBytes) => AddZone(KernelZone(zoneName, memoryBytes));

    /// <summary>Configures, installs and boots <paramref name="configuration"/> on a fresh guest of its memory size.</summary>
    public InMemoryGuest AddZone(ZoneConfiguration configuration)
    {
        Zone zone = Zones.Configure(configuration);
        zone.Install();
        zone.Boot();
        var guest = new InMemoryGuest(configuration.PhysicalMemory!.Value.Bytes);
        _running.Add(configuration.ZoneName, guest);
        return guest;
    }

    /// <summary>A live-migratable kernel zone as the reference migration configures one: solaris-kz, one anet, its NFS storage template.</summary>
    public static ZoneConfiguration KernelZone(string zoneName, long memoryBytes, int cpus = 2, string? cpuArch = null)
    {
        var builder = new ZoneConfigurationBuilder(zoneName)
            .SetProperty("brand", "solaris-kz")
            .AddResource("anet", ("id", "0"), ("lower-link", "auto"))
            .AddResource("device", ("storage", "nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}"), ("id", "0"), ("bootpri", "0"))
            .AddResource("virtual-cpu", ("ncpus", cpus.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .AddResource("capped-memory", ("physical", new MemorySize(memoryBytes).ToString()));
        if (cpuArch is not null)
        {
            builder.SetProperty("cpu-arch", cpuArch);
        }

        return builder.Build();
    }

    /// <summary>The guest that runs <paramref name="zoneName"/> here.</summary>
    public InMemoryGuest Guest(string zoneName) => _running[zoneName];

    public Task<MigrationResult> MigrateAsync(string zoneName, TestHost to, MigrationOptions? options = null, CancellationToken cancellationToken = default) =>
        Source.MigrateAsync(zoneName, Guest(zoneName), to.Address, Credential, options, cancellationToken);

    /// <summary>After a successful migration: the zone's guest now runs on <paramref name="to"/>; ours is kept (suspended) until disposal.</summary>
    public InMemoryGuest HandOver(string zoneName, TestHost to)
    {
        InMemoryGuest arrived = (InMemoryGuest)(to.Destination.FindGuest(zoneName) ?? throw new InvalidOperationException($"{zoneName} did not arrive"));
        to._running[zoneName] = arrived;
        _retired.Add(_running[zoneName]);
        _running.Remove(zoneName);
        return arrived;
    }

    /// <summary>Releases guests of zones that left this host (after the test has compared them).</summary>
    public void ReleaseRetiredGuests()
    {
        _retired.ForEach(g => g.Dispose());
        _retired.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await Destination.DisposeAsync();
        foreach (InMemoryGuest guest in _running.Values.Concat(_retired))
        {
            guest.Dispose();
        }

        _identity.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
