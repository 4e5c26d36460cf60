using System.Net;
using System.Security.Cryptography;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Simulation;

// A loopback migration through the packages' public API: the two snippets below are the README's.
string work = Directory.CreateTempSubdirectory("kz-consumer-").FullName;
string password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
string usersFile = Path.Combine(work, "users");
File.WriteAllText(usersFile, UserDatabase.FormatEntry("root", ZoneAuthorization.All, PasswordVerifier.Create(password)) + "\n");

// region: destination
// The destination host: a zone host, and the control (rad:remote) and data (kz-migr) services in front of it.
using var identity = ServerIdentity.LoadOrCreate(Path.Combine(work, "identity"), "host-b");
var destinationHost = new ZoneHost();
await using var destination = new MigrationDestination(destinationHost, new MigrationDestinationOptions
{
    Control = new ControlServiceOptions { ListenAddress = IPAddress.Loopback, Port = 0, Identity = identity, Users = UserDatabase.Load(usersFile) },
    DataEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
    CreateGuest = configuration => new InMemoryGuest(configuration.PhysicalMemory!.Value.Bytes), // the hypervisor's guest
    Capabilities = new DestinationCapabilities { FreeMemoryBytes = 8L << 30 },                   // what this host offers
    ZoneStore = new ZoneDirectory(Path.Combine(work, "zones")),                                  // durable before a commit
});
destination.Start();
// endregion

// region: source
// The source host: a configured, booted zone whose guest (here simulated in memory) runs while it migrates.
var sourceHost = new ZoneHost();
var zone = sourceHost.Configure(ZoneConfiguration.ParseExport(
    "create -b\nset brand=solaris-kz\nadd capped-memory\nset physical=64M\nend\n", "kz1"));
zone.Install();
zone.Boot();
using var guest = new InMemoryGuest(64L << 20);
guest.FillRandom(0, 32L << 20, seed: 1);

var source = new MigrationSource(sourceHost, new ControlClientOptions { KnownHostsPath = Path.Combine(work, "known_hosts"), TrustOnFirstUse = true });
var result = await source.MigrateAsync(
    "kz1", guest, RemoteAddress.Parse($"root@127.0.0.1:{destination.ControlPort}"), ControlCredential.FromPassword("root", password),
    new MigrationOptions { Progress = new Progress<MigrationProgress>(p => { if (p.Round is null) Console.WriteLine(p.Message); }) });
Console.WriteLine($"{result.Outcome}: {result.Rounds.Count} rounds, downtime {result.Downtime.TotalMilliseconds:0} ms");
// endregion

var arrived = destination.FindGuest("kz1")!.Memory;
bool equal = true;
for (long page = 0; page < guest.Memory.PageCount; page += 1024)
{
    equal &= arrived.GetPages(page, 1024).SequenceEqual(guest.Memory.GetPages(page, 1024));
}

bool durable = new ZoneDirectory(Path.Combine(work, "zones")).Load().SingleOrDefault()?.ZoneName == "kz1";
Console.WriteLine($"source: {sourceHost.Get("kz1").State}, destination: {destinationHost.Get("kz1").State}, memory equal: {equal}, saved: {durable}");
Directory.Delete(work, recursive: true);
return result.Outcome == MigrationOutcome.Succeeded && equal && durable ? 0 : 1;
