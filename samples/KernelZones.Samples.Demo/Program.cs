using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using KernelZones.Migration;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Simulation;

// The main job in one command: two hosts in one process on loopback, the example zone mig1 running a
// workload, a live migration with the default cipher, and both hosts' views before and after.
long memory = args.Length == 2 && args[0] == "--memory" ? MemorySize.Parse(args[1]).Bytes : 1L << 30;
string workDirectory = Directory.CreateTempSubdirectory("kz-demo-").FullName;
try
{
    string password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    using var identity = ServerIdentity.LoadOrCreate(Path.Combine(workDirectory, "destination"), "vzl-212");
    var users = UserDatabase.Parse(UserDatabase.FormatEntry("root", ZoneAuthorization.All, PasswordVerifier.Create(password)), "users");

    var destinationHost = new ZoneHost();
    await using var destination = new MigrationDestination(destinationHost, new MigrationDestinationOptions
    {
        Control = new ControlServiceOptions { ListenAddress = IPAddress.Loopback, Port = 0, Identity = identity, Users = users },
        DataEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        // The hypervisor reserves a kernel zone's memory when it boots: backed in the background from then on, and
        // waited for before the first page arrives, so that its page faults do not slow the transfer down.
        CreateGuest = configuration => new InMemoryGuest(configuration.PhysicalMemory!.Value.Bytes, populate: true),
        Capabilities = new DestinationCapabilities { FreeMemoryBytes = HostMemory.AvailableBytes() },
    });
    destination.Start();
    Console.WriteLine($"destination vzl-212: rad:remote on 127.0.0.1:{destination.ControlPort}, kz-migr on 127.0.0.1:{destination.DataPort}");

    var sourceHost = new ZoneHost();
    var configuration = KernelZone("mig1", memory);
    var zone = sourceHost.Configure(configuration);
    zone.Install();
    zone.Boot();
    using var guest = new InMemoryGuest(memory);
    guest.Memory.FillRandom(0, memory / 2, seed: 2015);
    using var workload = new GuestWorkload(guest, new GuestWorkloadOptions { DirtyMiBPerSecond = 64, WorkingSetBytes = Math.Min(memory / 4, 256L << 20) });
    workload.Start();

    Console.WriteLine("\nroot@vzl-216:~# zonecfg -z mig1 info");
    Console.Write(configuration.ToInfo(labelResourceIds: true));
    Show("vzl-216", sourceHost);
    Show("vzl-212", destinationHost);

    string knownHosts = Path.Combine(workDirectory, "known_hosts");
    var source = new MigrationSource(sourceHost, new ControlClientOptions { KnownHostsPath = knownHosts, TrustOnFirstUse = true });
    var remote = RemoteAddress.Parse($"root@127.0.0.1:{destination.ControlPort}");
    var credential = ControlCredential.FromPassword("root", password);

    Console.WriteLine($"\nroot@vzl-216:~# zoneadm -z mig1 migrate -c list {remote.HostAndPort}");
    foreach (string line in (await source.ListCiphersAsync(remote, credential)).Lines)
    {
        Console.WriteLine(line);
    }

    await WarmUpAsync(source, sourceHost, destinationHost, destination, remote, credential);

    Console.WriteLine($"\nroot@vzl-216:~# zoneadm -z mig1 migrate {remote.HostAndPort}");
    var progress = new ConsoleProgress();
    var result = await source.MigrateAsync("mig1", guest, remote, credential, new MigrationOptions { Progress = progress });

    Show("vzl-216", sourceHost);
    Show("vzl-212", destinationHost);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

        summary: {result.Outcome}, cipher {result.Cipher}, {result.Stripes} data connection(s), {result.Rounds.Count} rounds
                 total {result.TotalTime.TotalSeconds:0.00} s (setup {result.SetupTime.TotalMilliseconds:0} ms), downtime {result.Downtime.TotalMilliseconds:0} ms (expected {result.ExpectedDowntime.TotalMilliseconds:0} ms)
                 {result.BytesOnWire / 1e9:0.000} GB on the wire at {result.ThroughputBytesPerSecond / 1e9:0.000} GB/s
                 end to end {memory / result.TotalTime.TotalSeconds / 1e9:0.000} GB/s (memory size over the total time)
        """));
    bool identical = PageDigestsEqual(guest, destination.FindGuest("mig1")!);
    Console.WriteLine(identical ? "memory on the destination equals the source's at suspension" : "MEMORY DIFFERS");
    return result.Outcome == MigrationOutcome.Succeeded && identical ? 0 : 1;
}
catch (MigrationException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine("zoneadm: zone 'mig1': migrate failed.");
    return 1;
}
finally
{
    Directory.Delete(workDirectory, recursive: true);
}

// The example kernel zone: solaris-kz, 4 vCPUs, NFS storage, the given memory.
static ZoneConfiguration KernelZone(string name, long memory) => ZoneConfiguration.ParseExport(
    $$"""
    create -b
    set brand=solaris-kz
    add anet
    set id=0
    end
    add device
    set storage=nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}
    set id=0
    set bootpri=0
    end
    add virtual-cpu
    set ncpus=4
    end
    add capped-memory
    set physical={{new MemorySize(memory)}}
    end
    """,
    name);

// One small migration first, not shown: the figures printed for mig1 are then those of code the JIT has compiled
// and optimized, as on a host that has migrated before, not those of a process's first minute. The zone is removed
// from both hosts again afterwards.
static async Task WarmUpAsync(MigrationSource source, ZoneHost sourceHost, ZoneHost destinationHost, MigrationDestination destination, RemoteAddress remote, ControlCredential credential)
{
    const long Memory = 64L << 20;
    var zone = sourceHost.Configure(KernelZone("warmup", Memory));
    zone.Install();
    zone.Boot();
    using (var guest = new InMemoryGuest(Memory))
    {
        guest.Memory.FillRandom(0, Memory, seed: 1);
        await source.MigrateAsync("warmup", guest, remote, credential, new MigrationOptions());
    }

    sourceHost.Delete("warmup");
    var arrived = destinationHost.Get("warmup");
    arrived.Halt();
    arrived.Detach();
    destinationHost.Delete("warmup");
    (destination.FindGuest("warmup") as IDisposable)?.Dispose();
}

static void Show(string hostName, ZoneHost host)
{
    Console.WriteLine($"\nroot@{hostName}:~# zoneadm -z mig1 list -s");
    Console.Write(host.Find("mig1") is null ? "zoneadm: zone 'mig1': No such zone configured\n" : host.ListStatus("mig1"));
}

static bool PageDigestsEqual(IGuest source, IGuest destination)
{
    const int Pages = 1024;
    for (long page = 0; page < source.Memory.PageCount; page += Pages)
    {
        int count = (int)Math.Min(Pages, source.Memory.PageCount - page);
        if (!source.Memory.GetPages(page, count).SequenceEqual(destination.Memory.GetPages(page, count)))
        {
            return false;
        }
    }

    return true;
}

/// <summary>Prints each step once, as zoneadm does, and each pre-copy round as a progress line.</summary>
internal sealed class ConsoleProgress : IProgress<MigrationProgress>
{
    private MigrationStep? _last;

    public void Report(MigrationProgress value)
    {
        if (value.Step != _last)
        {
            Console.WriteLine(value.Message);
            _last = value.Step;
        }

        if (value.Round is { } round)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    round {round.Round}: {round.DataPages} pages + {round.ZeroPages} zero pages, {round.WireBytes / 1e6:0.0} MB in {round.Duration.TotalMilliseconds:0} ms ({round.BytesPerSecond / 1e9:0.00} GB/s), {round.DirtyPages} pages dirtied meanwhile"));
        }
    }
}
