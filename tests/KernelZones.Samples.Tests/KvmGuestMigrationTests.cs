using System.Net;
using System.Text.RegularExpressions;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Kvm;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;

namespace KernelZones.Samples.Tests;

/// <summary>
/// SenderHost migrates a zone booted with <c>--guest kvm</c>: a KVM virtual machine whose console it prints between the
/// step messages, to a destination in this process whose guests come from <see cref="KvmZoneMigration.DestinationGuests"/>.
/// </summary>
public sealed partial class KvmGuestMigrationTests
{
    [Fact]
    public async Task AKvmGuestMigrates_ItsHeartbeatsPrintedBetweenTheSteps_AndGoOnOnTheDestination()
    {
        if (KvmGuest.ProbeUnavailableReason() is { } unusable)
        {
            Assert.Skip($"KVM is not usable here: {unusable}");
        }

        await using var hosts = new TwoHosts();
        await using var destination = new KvmDestination(hosts.Root);
        await hosts.CreateRunningZoneAsync("kz1", "64M", cpus: 1, "--guest", "kvm", "--workload", "8:4M");
        Assert.Equal("kvm 8:4M\n", File.ReadAllText(Path.Combine(hosts.SenderState, "zones", "kz1.guest")));

        var migrate = await hosts.SenderAsync(["zoneadm", "-z", "kz1", "migrate", "-i", destination.KeyFile, $"ssh://root@127.0.0.1:{destination.ControlPort}"]);

        Assert.True(migrate.ExitCode == 0, migrate.Output + "\n" + migrate.Error);
        string[] lines = migrate.Output.ReplaceLineEndings("\n").Split('\n');
        int starting = Array.IndexOf(lines, "zoneadm: zone 'kz1': Starting migration.");
        int suspending = Array.IndexOf(lines, "zoneadm: zone 'kz1': Suspending zone on source host.");
        Assert.True(starting >= 0 && suspending > starting, migrate.Output);
        Assert.Matches(ConsoleLine(), lines[0]);
        Assert.All(lines.Where(l => l.StartsWith("console: ", StringComparison.Ordinal)), l => Assert.Matches(ConsoleLine(), l));
        Assert.Contains("zoneadm: zone 'kz1': Migration successful.", lines);

        // The destination's VM runs on where the source's stopped: its heartbeats continue the source's count, unharmed.
        var arrived = Assert.IsType<KvmGuest>(destination.Destination.FindGuest("kz1"));
        long lastOnSource = lines.Where(l => ConsoleLine().IsMatch(l)).Select(l => long.Parse(ConsoleLine().Match(l).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Max();
        string next = await arrived.ConsoleLines.ReadAsync().AsTask().WaitAsync(TwoHosts.Timeout);
        Assert.Matches(@"^heartbeat \d+ ticks=\d+ written=\d+ ok$", next);
        Assert.True(long.Parse(next.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > lastOnSource, $"{next} after heartbeat {lastOnSource} on the source");
        var list = await hosts.SenderAsync(["zoneadm", "list", "-s"]);
        Assert.Contains("kz1              configured", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task WhereKvmIsUnusable_BootWithAKvmGuestPrintsOneErrorLine_AndTheZoneStaysInstalled()
    {
        // Where this process can use /dev/kvm, SenderHost runs as user nobody, whom the device refuses.
        string? prefix = KvmGuest.ProbeUnavailableReason() is not null ? ""
            : Environment.UserName == "root" && File.Exists("/usr/bin/setpriv") ? "setpriv --reuid=65534 --regid=65534 --clear-groups "
            : null;
        if (prefix is null)
        {
            Assert.Skip("KVM is usable here and SenderHost cannot be run as another user (needs root and setpriv)");
        }

        DirectoryInfo root = Directory.CreateTempSubdirectory("kz-nokvm-");
        try
        {
            File.SetUnixFileMode(root.FullName, (UnixFileMode)0x1FF);
            File.WriteAllText(Path.Combine(root.FullName, "kz1.cfg"), TwoHosts.ZoneFile("64M", cpus: 1));
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            string sender = $"{prefix}env HOME={root.FullName} KZ_STATE_DIR={root.FullName}/state {dotnet} {SamplePaths.SenderHost}";
            await using (SampleProcess check = SampleProcess.StartShell($"{prefix}test -r {SamplePaths.SenderHost}", root.FullName))
            {
                if (await check.WaitForExitAsync(TwoHosts.Timeout) != 0)
                {
                    Assert.Skip($"user nobody cannot read {SamplePaths.SenderHost}");
                }
            }

            await using SampleProcess boot = SampleProcess.StartShell(
                $"{sender} zonecfg -z kz1 -f kz1.cfg && {sender} zoneadm -z kz1 boot --guest kvm; echo \"exit $?\"; {sender} zoneadm list -s", root.FullName);
            await boot.WaitForExitAsync(TwoHosts.Timeout);

            Assert.Matches(@"^zoneadm: zone 'kz1': error: KVM is not usable on this host: .+\n$", boot.Error.ReplaceLineEndings("\n"));
            Assert.Contains("exit 1", boot.Output, StringComparison.Ordinal);
            Assert.Contains("kz1              installed", boot.Output, StringComparison.Ordinal);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"^console: heartbeat (\d+) ticks=\d+ written=\d+ ok$")]
    private static partial Regex ConsoleLine();

    /// <summary>A destination in this process that runs KVM guests; user root logs in with a key written beside it.</summary>
    private sealed class KvmDestination : IAsyncDisposable
    {
        private readonly ServerIdentity _identity;

        public KvmDestination(string directory)
        {
            _identity = ServerIdentity.LoadOrCreate(Path.Combine(directory, "kvm-destination"), "kz-kvm-destination");
            KeyFile = Path.Combine(directory, "id_ecdsa");
            using (ClientKey key = ClientKey.Generate("sender@kvm"))
            {
                File.WriteAllText(KeyFile, key.ExportPkcs8Pem());
                var users = UserDatabase.Parse(UserDatabase.FormatEntry("root", ZoneAuthorization.All, null))
                    .WithAuthorizedKeys("root", AuthorizedKeys.Parse(key.PublicKey.ToString()));
                Destination = new MigrationDestination(new ZoneHost(), new MigrationDestinationOptions
                {
                    Control = new ControlServiceOptions { ListenAddress = IPAddress.Loopback, Port = 0, Identity = _identity, Users = users },
                    DataEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                    CreateGuest = KvmZoneMigration.DestinationGuests(),
                    Capabilities = new DestinationCapabilities { FreeMemoryBytes = 1L << 30 },
                });
            }

            Destination.Start();
        }

        public MigrationDestination Destination { get; }

        public int ControlPort => Destination.ControlPort;

        public string KeyFile { get; }

        public async ValueTask DisposeAsync()
        {
            await Destination.DisposeAsync();
            (Destination.FindGuest("kz1") as IDisposable)?.Dispose();
            _identity.Dispose();
        }
    }
}
