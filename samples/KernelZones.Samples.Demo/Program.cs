using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using KernelZones.Migration;
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
using KernelZones.Samples.Demo;

// The main job in one command: two hosts in one process on loopback, the example zone mig1 running a
// workload, a live migration with the default cipher, and both hosts' views before and after. The zone runs on a KVM
// virtual machine when /dev/kvm is usable (its guest program prints heartbeats and checks its own memory), else on the
// simulated guest; --guest sim|kvm chooses.
const long KvmMaxMemory = 3L << 30; // the KVM guest program is 32-bit without paging
long memory = 1L << 30;
string? guestChoice = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--memory":
            memory = MemorySize.Parse(args[i + 1]).Bytes;
            break;
        case "--guest" when args[i + 1] is "sim" or "kvm":
            guestChoice = args[i + 1];
            break;
        default:
            Console.Error.WriteLine("usage: KernelZones.Samples.Demo [--memory <size>] [--guest sim|kvm]");
            return 2;
    }
}

string? kvmUnusable = KvmGuest.ProbeUnavailableReason() ?? (memory > KvmMaxMemory ? $"a KVM guest has at most 3 GiB of memory, and --memory is {new MemorySize(memory)}" : null);
if (guestChoice == "kvm" && kvmUnusable is not null)
{
    Console.Error.WriteLine($"--guest kvm: {kvmUnusable}");
    return 2;
}

bool kvm = guestChoice != "sim" && kvmUnusable is null;
Console.WriteLine(kvm
    ? "guest: a KVM virtual machine on /dev/kvm, running a program that prints heartbeats and checks the pages it writes"
    : $"guest: simulated in memory ({(guestChoice == "sim" ? "--guest sim" : $"KVM is not used: {kvmUnusable}")})");

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
        // The hypervisor's guests: a KVM guest checks the zone's machine description and maps its memory as pages
        // arrive; the simulated guest reserves its memory when it boots, backed in the background from then on and
        // waited for before the first page arrives, so that its page faults do not slow the transfer down.
        CreateGuest = kvm ? KvmZoneMigration.DestinationGuests() : configuration => new InMemoryGuest(configuration.PhysicalMemory!.Value.Bytes, populate: true),
        Capabilities = new DestinationCapabilities { FreeMemoryBytes = HostMemory.AvailableBytes() },
    });
    destination.Start();
    Console.WriteLine($"destination vzl-212: rad:remote on 127.0.0.1:{destination.ControlPort}, kz-migr on 127.0.0.1:{destination.DataPort}");

    var sourceHost = new ZoneHost();
    long workingSet = Math.Min(memory / 4, 256L << 20);
    using var sourceVm = kvm ? KvmGuest.Create(new KvmGuestOptions { MemorySize = memory, Workload = KvmWorkload.Dirty(64, workingSet), HeartbeatInterval = TimeSpan.FromMilliseconds(100) }) : null;
    using var simulated = kvm ? null : new InMemoryGuest(memory);
    IGuest guest = (IGuest?)sourceVm ?? simulated!;
    var configuration = sourceVm is null ? KernelZone("mig1", memory, cpus: 4) : KvmZoneMigration.Describe(KernelZone("mig1", memory, cpus: 1), sourceVm);
    var zone = sourceHost.Configure(configuration);
    zone.Install();
    zone.Boot();
    using var workload = simulated is null ? null : new GuestWorkload(simulated, new GuestWorkloadOptions { DirtyMiBPerSecond = 64, WorkingSetBytes = workingSet });
    if (simulated is not null)
    {
        simulated.FillRandom(0, memory, seed: 2015); // incompressible, as the migrate benchmark fills its guest: the figures compare
        workload!.Start();
    }

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

    await WarmUpAsync(kvm, source, sourceHost, destinationHost, destination, remote, credential);

    // The source VM's console while it runs, then during the migration, until it is suspended for good.
    var sourceConsole = sourceVm is null ? null : new GuestConsole("vzl-216", sourceVm);
    using var stopConsole = new CancellationTokenSource();
    Task printing = Task.CompletedTask;
    if (sourceConsole is not null)
    {
        Console.WriteLine();
        await sourceConsole.PrintAsync(3, TimeSpan.FromSeconds(30));
        printing = sourceConsole.PrintAsync(stopConsole.Token);
    }

    Console.WriteLine($"\nroot@vzl-216:~# zoneadm -z mig1 migrate {remote.HostAndPort}");
    var progress = new ConsoleProgress();
    var result = await source.MigrateAsync("mig1", guest, remote, credential, new MigrationOptions { Progress = progress });
    await stopConsole.CancelAsync();
    await printing;
    sourceConsole?.Drain();

    // The destination VM has run since before the commit: its heartbeats continue the source's sequence.
    var arrivedConsole = kvm ? new GuestConsole("vzl-212", (KvmGuest)destination.FindGuest("mig1")!) : null;
    if (arrivedConsole is not null)
    {
        await arrivedConsole.PrintAsync(5, TimeSpan.FromSeconds(30));
    }

    Show("vzl-216", sourceHost);
    Show("vzl-212", destinationHost);
    string readiness = result.ReadinessWait is { } wait ? string.Create(CultureInfo.InvariantCulture, $", the guest's first heartbeat {wait.TotalMilliseconds:0} ms after its start, before the commit") : "";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

        summary: {result.Outcome}, cipher {result.Cipher}, {result.Stripes} data connection(s), {result.Rounds.Count} rounds
                 total {result.TotalTime.TotalSeconds:0.00} s (setup {result.SetupTime.TotalMilliseconds:0} ms), downtime {result.Downtime.TotalMilliseconds:0} ms (expected {result.ExpectedDowntime.TotalMilliseconds:0} ms){readiness}
                 {result.BytesOnWire / 1e9:0.000} GB on the wire at {result.ThroughputBytesPerSecond / 1e9:0.000} GB/s
                 end to end {memory / result.TotalTime.TotalSeconds / 1e9:0.000} GB/s (memory size over the total time)
        """));

    bool succeeded = result.Outcome == MigrationOutcome.Succeeded;
    if (sourceConsole is null || arrivedConsole is null)
    {
        bool identical = PageDigestsEqual(guest, destination.FindGuest("mig1")!);
        Console.WriteLine(identical ? "memory on the destination equals the source's at suspension" : "MEMORY DIFFERS");
        return succeeded && identical ? 0 : 1;
    }

    // The destination VM runs on, so its memory has moved on since the suspension: the engine compared the digests of
    // memory and device state before the commit, and the guest keeps checking the pages it wrote.
    Console.WriteLine(succeeded ? "memory and device state on the destination matched the source's digest at suspension" : "NOT MIGRATED");
    bool continues = arrivedConsole.FirstSequence == sourceConsole.LastSequence + 1 && arrivedConsole.InSequence && sourceConsole.InSequence;
    bool healthy = sourceConsole.CorruptLines == 0 && arrivedConsole.CorruptLines == 0 && arrivedConsole.OkLines > 0;
    Console.WriteLine(continues && healthy
        ? $"the guest's heartbeats continue on the destination at {arrivedConsole.FirstSequence} after {sourceConsole.LastSequence} on the source, every one ok"
        : $"THE GUEST'S HEARTBEATS DID NOT CONTINUE: source last {sourceConsole.LastSequence}, destination first {arrivedConsole.FirstSequence}, {sourceConsole.CorruptLines + arrivedConsole.CorruptLines} CORRUPT");
    (destination.FindGuest("mig1") as IDisposable)?.Dispose();
    return succeeded && continues && healthy ? 0 : 1;
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

// The example kernel zone (samples/Shared) with the given vCPUs (4; a KVM guest has 1) and memory.
static ZoneConfiguration KernelZone(string name, long memory, int cpus) => ZoneConfiguration.ParseExport(ExampleZone.Export(new MemorySize(memory).ToString(), cpus), name);

// Three small migrations first, not shown, each followed by a wait until the JIT has stopped compiling (it promotes
// hot code in the background, and counts calls toward that only once compilation has gone quiet): the figures
// printed for mig1 are then those of code the JIT has compiled and optimized, as on a host that has migrated before,
// not those of a process's first minute, and the migrate benchmark warms up the same way. The zone is removed from
// both hosts again after each.
static async Task WarmUpAsync(bool kvm, MigrationSource source, ZoneHost sourceHost, ZoneHost destinationHost, MigrationDestination destination, RemoteAddress remote, ControlCredential credential)
{
    const long Memory = 64L << 20;
    const int Migrations = 3;
    for (int migration = 0; migration < Migrations; migration++)
    {
        using (var vm = kvm ? KvmGuest.Create(new KvmGuestOptions { MemorySize = Memory }) : null)
        using (var simulated = kvm ? null : new InMemoryGuest(Memory))
        {
            simulated?.FillRandom(0, Memory, seed: 1);
            var zone = sourceHost.Configure(vm is null ? KernelZone("warmup", Memory, cpus: 4) : KvmZoneMigration.Describe(KernelZone("warmup", Memory, cpus: 1), vm));
            zone.Install();
            zone.Boot();
            await source.MigrateAsync("warmup", (IGuest?)vm ?? simulated!, remote, credential, new MigrationOptions());
        }

        sourceHost.Delete("warmup");
        var arrived = destinationHost.Get("warmup");
        arrived.Halt();
        arrived.Detach();
        destinationHost.Delete("warmup");
        (destination.FindGuest("warmup") as IDisposable)?.Dispose();
        await JitSettle.WaitAsync();
    }
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
