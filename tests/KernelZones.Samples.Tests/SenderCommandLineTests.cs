using System.Text.RegularExpressions;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Lifecycle;

namespace KernelZones.Samples.Tests;

/// <summary>SenderHost's command line as an operator meets it: help, usage errors (exit 2), combined flags, completion, and listings byte for byte as the library renders them.</summary>
public sealed partial class SenderCommandLineTests
{
    [Fact]
    public async Task Help_ListsTheCommands_AndEveryMigrateOption()
    {
        await using var hosts = new TwoHosts();
        var top = await hosts.SenderAsync(["--help"]);
        var migrate = await hosts.SenderAsync(["zoneadm", "migrate", "--help"]);

        Assert.Equal(0, top.ExitCode);
        Assert.Matches(@"(?m)^\s+zonecfg\s", top.Output);
        Assert.Matches(@"(?m)^\s+zoneadm\s", top.Output);
        Assert.Equal(0, migrate.ExitCode);
        foreach (string option in (string[])["-n", "-q", "-c <cipher|list|none>", "-t <auto|live>", "-i <key file>", "--password-file <file>", "--workload <none|<MiB/s>[:<working set>]>", "--peer-timeout <seconds>", "--state-dir <dir>", "<remote>"])
        {
            Assert.Contains("  " + option + " ", migrate.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("SenderHost: Required command was not provided.")]
    [InlineData("zoneadm: Unrecognized command or argument '-x'.", "zoneadm", "list", "-x")]
    [InlineData("zoneadm: 'boot' needs a zone: zoneadm -z <zone> boot", "zoneadm", "boot")]
    [InlineData("zoneadm: 'migrate' needs a zone: zoneadm -z <zone> migrate", "zoneadm", "migrate", "host")]
    [InlineData("zoneadm: Required argument missing for command: 'migrate'.", "zoneadm", "-z", "kz1", "migrate", "-nq")]
    [InlineData("zoneadm: Argument 'warm' not recognized. Must be one of:", "zoneadm", "-z", "kz1", "migrate", "-t", "warm", "host")]
    [InlineData("zoneadm: --peer-timeout 0: not a number of seconds from 1 to 3600", "zoneadm", "-z", "kz1", "migrate", "--peer-timeout", "0", "host")]
    [InlineData("zoneadm: Argument 'vm' not recognized. Must be one of:", "zoneadm", "-z", "kz1", "boot", "--guest", "vm")]
    [InlineData("zonecfg: 'export' needs a zone: zonecfg -z <zone> export", "zonecfg", "export")]
    [InlineData("zonecfg: -f creates the zone; it is not taken with 'info'", "zonecfg", "-z", "kz1", "-f", "kz1.cfg", "info")]
    public async Task AUsageError_IsReportedAfterTheToolsName_AndExits2(string expected, params string[] args)
    {
        await using var hosts = new TwoHosts();
        var run = await hosts.SenderAsync(args);

        Assert.Equal(2, run.ExitCode);
        string first = run.Error.ReplaceLineEndings("\n").Split('\n')[0];
        Assert.Equal(expected, first.Replace("KernelZones.Samples.SenderHost", "SenderHost", StringComparison.Ordinal));
        Assert.Matches(@"(?m)^usage: see '\S+( \S+)* --help'$", run.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task APeerTimeoutFromTheEnvironment_IsCheckedAsTheOptionIs()
    {
        await using var hosts = new TwoHosts();
        await hosts.CreateRunningZoneAsync("kz1", "64M");
        var run = await hosts.SenderAsync(["zoneadm", "-z", "kz1", "migrate", "host"], new() { ["KZ_PEER_TIMEOUT"] = "soon" });

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("zoneadm: KZ_PEER_TIMEOUT=soon: not a number of seconds from 1 to 3600\n", run.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Listings_AreTheLibrarysByteForByte_WithFlagsCombinedOrNot()
    {
        await using var hosts = new TwoHosts();
        await hosts.CreateRunningZoneAsync("kz1", "64M");
        var expected = new ZoneHost();
        Zone zone = expected.Configure(ZoneConfiguration.ParseExport(TwoHosts.ZoneFile("64M"), "kz1"));
        zone.Install();
        zone.Boot();

        var combined = await hosts.SenderAsync(["zoneadm", "list", "-cv"]);
        var separate = await hosts.SenderAsync(["zoneadm", "list", "-c", "-v"]);
        var parseable = await hosts.SenderAsync(["zoneadm", "list", "-cp"]);
        var status = await hosts.SenderAsync(["zoneadm", "-z", "kz1", "list", "-s"]);
        var export = await hosts.SenderAsync(["zonecfg", "-z", "kz1", "export"]);

        Assert.Equal(expected.ListVerbose(true, null), combined.Output + "\n");
        Assert.Equal(combined.Output, separate.Output);
        Assert.Equal(Uuids().Replace(expected.ListParseable(true, null), "<uuid>"), Uuids().Replace(parseable.Output + "\n", "<uuid>"));
        Assert.Equal(expected.ListStatus("kz1"), status.Output + "\n");
        Assert.Equal(zone.Configuration.ToExport(), export.Output + "\n");
    }

    [Fact]
    public async Task Completion_OffersTheStateDirectorysZones_AndTheOptionsValues()
    {
        await using var hosts = new TwoHosts();
        await hosts.CreateRunningZoneAsync("kz1", "64M");

        var zones = await hosts.SenderAsync(["[suggest:11]", "zoneadm -z "]);
        var guests = await hosts.SenderAsync(["[suggest:28]", "zoneadm -z kz1 boot --guest "]);

        Assert.Equal("kz1", zones.Output);
        Assert.Equal("kvm\nsim", guests.Output.ReplaceLineEndings("\n"));
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Uuids();
}
