using KernelZones.Migration.Authentication;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Simulation;
using KernelZones.Migration.Tests.Hostile;

namespace KernelZones.Migration.Tests.Engine;

/// <summary>
/// Two hosts in one process (<see cref="TestHost"/>s): a source with the reference zone mig1 running on an in-memory
/// guest, and a destination on 127.0.0.1; records the step messages the source reports.
/// </summary>
internal sealed class MigrationFixture : IAsyncDisposable
{
    public const string Password = TestHost.Password;
    private readonly string _directory = Directory.CreateTempSubdirectory("kz-engine-").FullName;
    private readonly TestHost _source;
    private readonly TestHost _destination;

    public MigrationFixture(long memoryBytes, Func<MigrationDestinationOptions, MigrationDestinationOptions>? configure = null, string? cpuArch = null)
    {
        _destination = new TestHost("kz-dest", KnownHosts, configure);
        _source = new TestHost("kz-src", KnownHosts);
        Guest = _source.AddZone(Seed(memoryBytes, cpuArch));
        Zone = SourceHost.Get("mig1");
    }

    public ZoneHost SourceHost => _source.Zones;

    public ZoneHost DestinationHost => _destination.Zones;

    public MigrationDestination Destination => _destination.Destination;

    public MigrationSource Source => _source.Source;

    public InMemoryGuest Guest { get; }

    public Zone Zone { get; }

    public string KnownHosts => Path.Combine(_directory, "known_hosts");

    public RemoteAddress Address => _destination.Address;

    public ControlCredential Credential => TestHost.Credential;

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

    /// <summary>The reference zone mig1: solaris-kz, 4 vCPUs, its NFS storage template.</summary>
    public static ZoneConfiguration Seed(long memoryBytes, string? cpuArch = null) => TestHost.KernelZone("mig1", memoryBytes, cpus: 4, cpuArch);

    public async ValueTask DisposeAsync()
    {
        await _destination.DisposeAsync();
        (Destination.FindGuest("mig1") as IDisposable)?.Dispose();
        await _source.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class SynchronousProgress(Action<MigrationProgress> report) : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value) => report(value);
    }
}
