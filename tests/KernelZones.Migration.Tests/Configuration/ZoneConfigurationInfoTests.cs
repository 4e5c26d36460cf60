using KernelZones.Migration.Configuration;

namespace KernelZones.Migration.Tests.Configuration;

public sealed class ZoneConfigurationInfoTests
{
    [Fact]
    public void Seed_mig1_info_parses_into_the_same_model_as_its_export()
    {
        ZoneConfiguration fromInfo = ZoneConfiguration.ParseInfo(ReferenceConfigurations.Mig1Info);
        ZoneConfiguration fromExport = ZoneConfiguration.ParseExport(ReferenceConfigurations.Mig1Export, "mig1");

        Assert.True(fromInfo.GetResources("keysource").Single().Properties.Single().IsRedacted);
        Assert.Equal(WithoutKey(fromExport), WithoutKey(fromInfo));
        Assert.NotEqual(fromExport, fromInfo);
        Assert.Equal("nfs://zoss:zoss@kzx-05/zones/zoss/mig1.disk0", fromInfo.Storage.Single().Uri.ToString());
        Assert.Equal(0, fromInfo.GetResources("anet").Single().Id);
    }

    [Fact]
    public void Interactive_info_of_mig1_prints_like_the_seed()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseExport(ReferenceConfigurations.Mig1Export, "mig1");
        string expected = ReferenceConfigurations.Mig1Info.Replace("\n\n", "\n", StringComparison.Ordinal)
            .Replace("anet 0:\n", "anet 0:\n\tid: 0\n", StringComparison.Ordinal);

        Assert.Equal(expected, config.ToInfo(labelResourceIds: true));
        Assert.Equal(config.ToInfo().Replace("anet:", "anet 0:", StringComparison.Ordinal).Replace("device:", "device 0:", StringComparison.Ordinal), config.ToInfo(labelResourceIds: true));
        Assert.DoesNotContain("00112233", config.ToInfo(), StringComparison.Ordinal);
    }

    [Fact]
    public void Puppet_export_prints_info_with_templates_and_not_specified_lines()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseExport(ReferenceConfigurations.PuppetExport, "kzone1");
        string info = config.ToInfo();

        Assert.StartsWith("zonename: kzone1\nbrand: solaris-kz\nautoboot: true\nautoshutdown: shutdown\nbootargs: kz=d -k -m verbose\nanet:\n", info, StringComparison.Ordinal);
        Assert.Contains("device:\n\tmatch not specified\n\tstorage.template: dev:/dev/zvol/dsk/%{global-rootzpool}/VARSHARE/zones/%{zonename}/disk%{id}\n"
            + "\tstorage: dev:/dev/zvol/dsk/rpool/VARSHARE/zones/kzone1/disk0\n\tid: 0\n\tbootpri: 0\n", info, StringComparison.Ordinal);
        Assert.Contains("suspend:\n\tpath.template: /system/zones/%{zonename}/suspend\n\tpath: /system/zones/kzone1/suspend\n\tstorage not specified\n", info, StringComparison.Ordinal);
        Assert.Equal(config, ZoneConfiguration.ParseInfo(info));
    }

    [Theory]
    [InlineData("suspend:\n         storage: iscsi://system/luname.naa.501337600144f0dbf8af1900\n", "suspend", "storage", "iscsi://system/luname.naa.501337600144f0dbf8af1900")]
    [InlineData("suspend:\n        path: /system/zones/kzone1/suspend\n        storage not specified\n", "suspend", "path", "/system/zones/kzone1/suspend")]
    [InlineData("cpu-arch: generic\n", null, "cpu-arch", "generic")]
    public void Reference_info_snippets_parse(string snippet, string? type, string name, string value)
    {
        ZoneConfiguration config = ZoneConfiguration.ParseInfo("zonename: kzone1\nbrand: solaris-kz\n" + snippet);
        string? actual = type is null ? config.GetProperty(name) : config.GetResources(type).Single().GetValue(name);
        Assert.Equal(value, actual);
    }

    [Fact]
    public void Renaming_re_expands_templates()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseInfo(ReferenceConfigurations.Mig1Info).WithZoneName("new-zone");
        Assert.Equal("nfs://zoss:zoss@kzx-05/zones/zoss/new-zone.disk0", config.Storage.Single().Uri.ToString());
        Assert.Contains("\tstorage: nfs://zoss:zoss@kzx-05/zones/zoss/new-zone.disk0\n", config.ToInfo(), StringComparison.Ordinal);
    }

    [Fact]
    public void Literal_percent_and_root_pool_expand()
    {
        ZoneConfiguration config = new ZoneConfigurationBuilder("kz")
            .AddResource("suspend", ("storage", "nfs://u:g@h/%{global-rootzpool}/%{zonename}"), ("path", "/zones/%%x/%{zonename}"))
            .Build()
            .WithGlobalRootZpool("tank");
        Assert.Equal("nfs://u:g@h/tank/kz", config.Storage.Single().Uri.ToString());
        Assert.Equal("/zones/%x/kz", config.GetExpandedValue(config.Resources[0], "path"));
    }

    [Theory]
    [InlineData("brand: solaris-kz\n", 1)]
    [InlineData("zonename: z\n\tid: 0\n", 2)]
    [InlineData("zonename: z\nanet 0:\n\tid: 1\n", 2)]
    [InlineData("zonename: z\nanet x:\n", 2)]
    [InlineData("zonename: z\ncapped-memory:\n\tphysical: lots\n", 3)]
    [InlineData("zonename: z\nweird line\n", 2)]
    [InlineData("zonename: z\nanet:\n\t???\n", 3)]
    public void Bad_info_names_the_line(string text, int line)
    {
        ZoneConfigurationException e = Assert.Throws<ZoneConfigurationException>(() => ZoneConfiguration.ParseInfo(text));
        Assert.Equal(line, e.LineNumber);
    }

    internal static ZoneConfiguration WithoutKey(ZoneConfiguration config)
    {
        ZoneConfigurationBuilder builder = config.ToBuilder();
        builder.RemoveResources(r => r.Type == "keysource");
        return builder.Build();
    }
}
