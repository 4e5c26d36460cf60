using KernelZones.Migration.Configuration;

namespace KernelZones.Samples.Tests;

/// <summary>SenderHost's <c>zonecfg -z &lt;zone&gt; info [&lt;resource-type&gt;|&lt;property&gt;]</c>, run as a process on a zone created from a file.</summary>
public sealed class ZonecfgInfoTests
{
    [Fact]
    public async Task Info_prints_the_whole_configuration_or_one_resource_type_or_property()
    {
        await using var hosts = new TwoHosts();
        var create = await hosts.SenderAsync(["zonecfg", "-z", "kz1", "-f", hosts.WriteZoneFile("64M")]);
        Assert.True(create.ExitCode == 0, create.Error);

        var info = await hosts.SenderAsync(["zonecfg", "-z", "kz1", "info"]);
        Assert.True(info.ExitCode == 0, info.Error);
        Assert.Equal(ZoneConfiguration.ParseExport(TwoHosts.ZoneFile("64M"), "kz1").ToInfo(), Text(info.Output));
        Assert.StartsWith("zonename: kz1\nbrand: solaris-kz\nautoboot: false\nautoshutdown: shutdown\nbootargs: \npool: \nscheduling-class: \nhostid: \ntenant: \nanet:\n",
            Text(info.Output), StringComparison.Ordinal);

        Assert.Equal("capped-memory:\n\tphysical: 64M\n", Text((await hosts.SenderAsync(["zonecfg", "-z", "kz1", "info", "capped-memory"])).Output));
        Assert.Equal("cpu-arch: \n", Text((await hosts.SenderAsync(["zonecfg", "-z", "kz1", "info", "cpu-arch"])).Output));
        Assert.Equal(string.Empty, Text((await hosts.SenderAsync(["zonecfg", "-z", "kz1", "info", "suspend"])).Output));

        var unknown = await hosts.SenderAsync(["zonecfg", "-z", "kz1", "info", "no-such-thing"]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("zonecfg: 'no-such-thing' is neither a global property nor a resource type", unknown.Error, StringComparison.Ordinal);
    }

    // The captured output is its lines joined by "\n", without the last line's end.
    private static string Text(string output) => output.Length == 0 ? output : output.ReplaceLineEndings("\n") + "\n";
}
