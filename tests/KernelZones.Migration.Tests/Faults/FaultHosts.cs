using System.Net;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Simulation;
using KernelZones.Migration.Tests.Engine;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Striping;
using KernelZones.Testing.Faults;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>
/// A source and a destination on 127.0.0.1 with a <see cref="FaultProxy"/> in front of each of the destination's
/// ports (the destination advertises the data proxy's port), short time limits so that a stalled peer is noticed
/// within seconds, and a small guest whose pre-copy has several rounds.
/// </summary>
internal sealed class FaultHosts : IAsyncDisposable
{
    public const long MemoryBytes = 16L << 20;
    public const string ZoneName = "mig1";
    // 3 s: at 1.5 s a healthy round occasionally outlasted the control idle timeout while the whole suite ran in parallel
    // (a cell then rolled back before its fault fired).
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);
    private static readonly long[] s_dirtiedPages = [3, 17, 300, 301, 1000, 2047, 3000, 4000];

    private readonly string _directory = Directory.CreateTempSubdirectory("kz-faults-").FullName;
    private readonly InMemoryGuest _guest = new(MemoryBytes);

    public FaultHosts(FaultSetup setup)
    {
        var users = UserDatabase.Parse(UserDatabase.FormatEntry("root", setup.Authorization ?? ZoneAuthorization.All, PasswordVerifier.CreateUnchecked(MigrationFixture.Password, 1000)), "users", 1000);
        var options = new MigrationDestinationOptions
        {
            Control = new ControlServiceOptions
            {
                ListenAddress = IPAddress.Loopback, Port = 0, Identity = FaultIdentity.Shared, Users = users, HandshakeTimeout = 2 * Patience, IdleTimeout = Patience,
                AuthenticationFailureDelay = TimeSpan.FromMilliseconds(20), MaxAuthenticationFailureDelay = TimeSpan.FromMilliseconds(100),
            },
            DataEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            AdvertisedDataPort = DataProxy.EndPoint.Port,
            Transport = Transport,
            StripeWait = Patience,
            Capabilities = setup.Capabilities ?? new DestinationCapabilities { FreeMemoryBytes = long.MaxValue },
            CreateGuest = setup.CreateGuest ?? (configuration => new InMemoryGuest(configuration.PhysicalMemory!.Value.Bytes)),
        };
        setup.Prepare?.Invoke(DestinationHost);
        Destination = new MigrationDestination(DestinationHost, options);
        Destination.Start();
        ControlProxy.Target = new IPEndPoint(IPAddress.Loopback, Destination.ControlPort);
        DataProxy.Target = new IPEndPoint(IPAddress.Loopback, Destination.DataPort);
        File.WriteAllText(KnownHosts, $"127.0.0.1:{ControlProxy.EndPoint.Port} {FaultIdentity.Shared.Fingerprint}\n");

        _guest.FillRandom(0, 2L << 20, seed: 11);
        _guest.FillRandom(12L << 20, 64 << 10, seed: 12);
        _guest.SimulatedDevices.Set(Enumerable.Range(0, 3000).Select(i => (byte)(i * 7)).ToArray());
        Guest = new DirtyingGuest(_guest, s_dirtiedPages);
        Zone = SourceHost.Configure(MigrationFixture.Seed(MemoryBytes));
        Zone.Install();
        Zone.Boot();
        Source = new MigrationSource(SourceHost, new ControlClientOptions { KnownHostsPath = KnownHosts, ConnectTimeout = 2 * Patience, IdleTimeout = Patience });
    }

    // Connecting (TLS, hellos, password check; JIT on a cold process) gets twice the patience of an idle peer: it is
    // the most expensive step on a loaded machine, and a timeout there must come from a fault, not from the box.

    /// <summary>64 KiB records (so that a round has many), and peer time limits of <see cref="Patience"/>.</summary>
    public static StripeOptions Transport { get; } = new()
    {
        Records = new RecordOptions { MaxPayloadLength = 64 << 10 }, ConnectTimeout = Patience, HandshakeTimeout = Patience, PeerTimeout = Patience,
    };

    /// <summary>Three rounds (the guest dirties pages before each collection), then a forced switchover.</summary>
    public static MigrationOptions Options(IProgress<MigrationProgress> progress) => new()
    {
        Cipher = "aes-128-gcm", DowntimeTarget = TimeSpan.FromTicks(1), MaxRounds = 3, OnLimit = LimitPolicy.ForceSwitchover, Transport = Transport, Progress = progress,
    };

    public FaultProxy ControlProxy { get; } = new(RecordFraming.Tls);

    public FaultProxy DataProxy { get; } = new(RecordFraming.Stripe);

    public ZoneHost SourceHost { get; } = new();

    public ZoneHost DestinationHost { get; } = new();

    public MigrationDestination Destination { get; }

    public MigrationSource Source { get; }

    public DirtyingGuest Guest { get; }

    public InMemoryVirtualCpus Cpus => _guest.SimulatedCpus;

    public InMemoryGuestMemory Memory => _guest.SimulatedMemory;

    public ReadOnlyMemory<byte> DeviceState => _guest.SimulatedDevices.Current;

    public Zone Zone { get; }

    public string KnownHosts => Path.Combine(_directory, "known_hosts");

    public RemoteAddress Address => RemoteAddress.Parse($"rads://root@127.0.0.1:{ControlProxy.EndPoint.Port}");

    public int[] Ports => [ControlProxy.EndPoint.Port, DataProxy.EndPoint.Port, Destination.ControlPort, Destination.DataPort];

    /// <summary>
    /// A socket the engine owns for this case: one the destination accepted (not its listeners), or one the source
    /// opened to a proxy. Once the source has returned and the destination's connections have ended, none is left.
    /// </summary>
    public bool EngineSocket((int Local, int Remote, bool Listening) socket) =>
        (!socket.Listening && (socket.Local == Destination.ControlPort || socket.Local == Destination.DataPort))
        || socket.Remote == ControlProxy.EndPoint.Port || socket.Remote == DataProxy.EndPoint.Port;

    public async ValueTask DisposeAsync()
    {
        await ControlProxy.DisposeAsync();
        await DataProxy.DisposeAsync();
        await Destination.DisposeAsync();
        (Destination.FindGuest(ZoneName) as IDisposable)?.Dispose();
        _guest.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
