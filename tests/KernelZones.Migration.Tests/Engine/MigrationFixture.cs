using KernelZones.Migration.Authentication;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;

namespace KernelZones.Migration.Tests.Engine;

/// <summary>Two hosts in one process: a source with the seed's zone running on an in-memory guest, and a destination on 127.0.0.1.</summary>
internal sealed class MigrationFixture : IAsyncDisposable
{
    public const string Password = "migrate me";
    private readonly string _directory = Directory.CreateTempSubdirectory("kz-engine-").FullName;
    private readonly ServerIdentity _identity;

    public MigrationFixture(long memoryBytes, Func<MigrationDestinationOptions, MigrationDestinationOptions>? configure = null, string? cpuArch = null)
    {
        _identity = ServerIdentity.LoadOrCreate(Path.Combine(_directory, "identity"), "kz-dest");
        var users = UserDatabase.Parse(UserDatabase.FormatEntry("root", ZoneAuthorization.All, PasswordVerifier.CreateUnchecked(Password, 1000)), "users", 1000);
        var options = new MigrationDestinationOptions
        {
            Control = new ControlServiceOptions { ListenAddress = System.Net.IPAddress.Loopback, Port = 0, Identity = _identity, Users = users, Offer = new HostOffer { AllowNone = true } },
            DataEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
        };
        Destination = new MigrationDestination(DestinationHost, configure?.Invoke(options) ?? options);
        Destination.Start();
        File.WriteAllText(KnownHosts, $"127.0.0.1:{Destination.ControlPort} {_identity.Fingerprint}\n");

        Guest = new InMemoryGuest(memoryBytes);
        Zone = SourceHost.Configure(Seed(memoryBytes, cpuArch));
        Zone.Install();
        Zone.Boot();
        Source = new MigrationSource(SourceHost, new ControlClientOptions { KnownHostsPath = KnownHosts, Offer = new HostOffer { AllowNone = true } });
    }

    public ZoneHost SourceHost { get; } = new();

    public ZoneHost DestinationHost { get; } = new();

    public MigrationDestination Destination { get; }

    public MigrationSource Source { get; }

    public InMemoryGuest Guest { get; }

    public Zone Zone { get; }

    public string KnownHosts => Path.Combine(_directory, "known_hosts");

    public RemoteAddress Address => RemoteAddress.Parse($"rads://root@127.0.0.1:{Destination.ControlPort}");

    public ControlCredential Credential => ControlCredential.FromPassword("root", Password);

    public List<string> Messages { get; } = [];

    public Task<MigrationResult> MigrateAsync(MigrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var progress = new SynchronousProgress(p =>
        {
            lock (Messages)
            {
                if (Messages.Count == 0 || Messages[^1] != p.Message)
                {
                    Messages.Add(p.Message);
                }
            }
        });
        options ??= new MigrationOptions();
        var withProgress = new MigrationOptions
        {
            Cipher = options.Cipher, MaxStripes = options.MaxStripes, DowntimeTarget = options.DowntimeTarget, MaxRounds = options.MaxRounds,
            MaxBytesFactor = options.MaxBytesFactor, MaxDuration = options.MaxDuration, OnLimit = options.OnLimit, DryRun = options.DryRun,
            Transport = options.Transport, Progress = progress,
        };
        return Source.MigrateAsync("mig1", Guest, Address, Credential, withProgress, cancellationToken);
    }

    /// <summary>The seed's zone mig1: solaris-kz, 4 vCPUs, its NFS storage template.</summary>
    public static ZoneConfiguration Seed(long memoryBytes, string? cpuArch = null)
    {
        var builder = new ZoneConfigurationBuilder("mig1")
            .SetProperty("brand", "solaris-kz")
            .AddResource("anet", ("id", "0"), ("lower-link", "auto"))
            .AddResource("device", ("storage", "nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}"), ("id", "0"), ("bootpri", "0"))
            .AddResource("virtual-cpu", ("ncpus", "4"))
            .AddResource("capped-memory", ("physical", new MemorySize(memoryBytes).ToString()));
        if (cpuArch is not null)
        {
            builder.SetProperty("cpu-arch", cpuArch);
        }

        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        await Destination.DisposeAsync();
        (Destination.FindGuest("mig1") as IDisposable)?.Dispose();
        Guest.Dispose();
        _identity.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class SynchronousProgress(Action<MigrationProgress> report) : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value) => report(value);
    }
}
