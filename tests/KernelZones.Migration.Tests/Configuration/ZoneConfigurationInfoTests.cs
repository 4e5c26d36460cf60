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
    public void Info_of_mig1_prints_every_kernel_zone_property_as_Solaris_does()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseExport(ReferenceConfigurations.Mig1Export, "mig1");
        string expected = Lines(
            "zonename: mig1", "brand: solaris-kz", "autoboot: false", "autoshutdown: shutdown", "bootargs: ", "pool: ", "scheduling-class: ", "hostid: ", "tenant: ",
            "anet:", "\tlower-link not specified", "\tallowed-address not specified", "\tconfigure-allowed-address: true", "\tdefrouter not specified",
            "\tallowed-dhcp-cids not specified", "\tlink-protection not specified", "\tmac-address not specified", "\tmac-prefix not specified",
            "\tmac-slot not specified", "\tvlan-id not specified", "\tpriority not specified", "\trxrings not specified", "\ttxrings not specified",
            "\tmtu not specified", "\tmaxbw not specified", "\tbwshare not specified", "\trxfanout not specified", "\tvsi-typeid not specified",
            "\tvsi-vers not specified", "\tvsi-mgrid not specified", "\tetsbw-lcl not specified", "\tcos not specified", "\tevs not specified",
            "\tvport not specified", "\tiov: off", "\tlro: auto", "\tid: 0",
            "device:", "\tmatch not specified", "\tstorage.template: nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}",
            "\tstorage: nfs://zoss:zoss@kzx-05/zones/zoss/mig1.disk0", "\tid: 0", "\tbootpri: 0",
            "virtual-cpu:", "\tncpus: 4", "capped-memory:", "\tphysical: 4G", "keysource:", "\traw redacted");

        Assert.Equal(expected, config.ToInfo());
        Assert.Equal(expected.Replace("anet:\n", "anet 0:\n", StringComparison.Ordinal).Replace("device:\n", "device 0:\n", StringComparison.Ordinal), config.ToInfo(labelResourceIds: true));
        Assert.DoesNotContain("00112233", config.ToInfo(), StringComparison.Ordinal);
        Assert.Equal(WithoutKey(config), WithoutKey(ZoneConfiguration.ParseInfo(expected)));
    }

    [Fact]
    public void Info_of_a_default_kernel_zone_is_Solaris_11_3s_byte_for_byte_and_reads_back()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseExport(ReferenceConfigurations.KernelZoneLabExport, "kzone1");

        Assert.Equal(ReferenceConfigurations.KernelZoneLabInfo, config.ToInfo());
        Assert.Equal(config, ZoneConfiguration.ParseInfo(ReferenceConfigurations.KernelZoneLabInfo));

        // The same text as the lab's page shows it: spaces for the tabs, no space after an empty global's colon.
        string asShown = ReferenceConfigurations.KernelZoneLabInfo.Replace("\t", "        ", StringComparison.Ordinal).Replace(": \n", ":\n", StringComparison.Ordinal);
        Assert.Equal(config, ZoneConfiguration.ParseInfo(asShown));
    }

    [Fact]
    public void Info_of_the_Puppet_template_zone_shows_templates_suspend_and_the_defaults()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseExport(ReferenceConfigurations.PuppetExport, "kzone1");
        string expected = Lines(
            "zonename: kzone1", "brand: solaris-kz", "autoboot: true", "autoshutdown: shutdown", "bootargs: kz=d -k -m verbose", "pool: ", "scheduling-class: ",
            "hostid: ", "tenant: ",
            "anet:", "\tlower-link: auto", "\tallowed-address not specified", "\tconfigure-allowed-address: true", "\tdefrouter not specified",
            "\tallowed-dhcp-cids not specified", "\tlink-protection: mac-nospoof", "\tmac-address: auto", "\tmac-prefix not specified",
            "\tmac-slot not specified", "\tvlan-id not specified", "\tpriority not specified", "\trxrings not specified", "\ttxrings not specified",
            "\tmtu not specified", "\tmaxbw not specified", "\tbwshare not specified", "\trxfanout not specified", "\tvsi-typeid not specified",
            "\tvsi-vers not specified", "\tvsi-mgrid not specified", "\tetsbw-lcl not specified", "\tcos not specified", "\tevs not specified",
            "\tvport not specified", "\tiov: off", "\tlro: auto", "\tid: 0",
            "device:", "\tmatch not specified", "\tstorage.template: dev:/dev/zvol/dsk/%{global-rootzpool}/VARSHARE/zones/%{zonename}/disk%{id}",
            "\tstorage: dev:/dev/zvol/dsk/rpool/VARSHARE/zones/kzone1/disk0", "\tid: 0", "\tbootpri: 0",
            "capped-memory:", "\tphysical: 4G", "virtual-cpu:", "\tncpus: 4",
            "suspend:", "\tpath.template: /system/zones/%{zonename}/suspend", "\tpath: /system/zones/kzone1/suspend", "\tstorage not specified");

        Assert.Equal(expected, config.ToInfo());

        // info cannot tell autoshutdown=shutdown, set by the command file, from the default it shows for an unset one.
        ZoneConfiguration read = ZoneConfiguration.ParseInfo(expected);
        Assert.Equal(config.WithProperty("autoshutdown", null), read);
        Assert.Equal(expected, read.ToInfo());
    }

    [Fact]
    public void Info_of_a_zone_with_several_anets_and_devices_suspend_storage_and_a_key()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseExport(RichExport, "kzone2");
        string expected = Lines(
            "zonename: kzone2", "brand: solaris-kz", "autoboot: true", "autoshutdown: suspend", "bootargs: ", "pool: ", "scheduling-class: ",
            "hostid: 0x6f038b0b", "tenant: ", "cpu-arch: migration-class1", "host-compatible: level1",
            "anet:", "\tlower-link: net0", "\tallowed-address: 192.168.10.5/24", "\tconfigure-allowed-address: false", "\tdefrouter: 192.168.10.1",
            "\tallowed-dhcp-cids not specified", "\tlink-protection: mac-nospoof,ip-nospoof", "\tmac-address: auto", "\tmac-prefix not specified",
            "\tmac-slot not specified", "\tvlan-id: 10", "\tpriority: high", "\trxrings not specified", "\ttxrings not specified",
            "\tmtu: 9000", "\tmaxbw: 2G", "\tbwshare not specified", "\trxfanout not specified", "\tvsi-typeid not specified",
            "\tvsi-vers not specified", "\tvsi-mgrid not specified", "\tetsbw-lcl not specified", "\tcos not specified", "\tevs not specified",
            "\tvport not specified", "\tiov: on", "\tlro: auto", "\tid: 0",
            "anet:", "\tlower-link: auto", "\tallowed-address not specified", "\tconfigure-allowed-address: true", "\tdefrouter not specified",
            "\tallowed-dhcp-cids not specified", "\tlink-protection not specified", "\tmac-address: 2:8:20:a:b:c", "\tmac-prefix not specified",
            "\tmac-slot not specified", "\tvlan-id not specified", "\tpriority not specified", "\trxrings not specified", "\ttxrings not specified",
            "\tmtu not specified", "\tmaxbw not specified", "\tbwshare not specified", "\trxfanout not specified", "\tvsi-typeid not specified",
            "\tvsi-vers not specified", "\tvsi-mgrid not specified", "\tetsbw-lcl not specified", "\tcos not specified", "\tevs not specified",
            "\tvport not specified", "\tiov: off", "\tlro: off", "\tid: 1",
            "device:", "\tmatch not specified", "\tstorage: iscsi://zfssa/luname.naa.600144f0dbf8af19000052e820d60003", "\tid: 0", "\tbootpri: 0",
            "device:", "\tmatch not specified", "\tstorage.template: nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}",
            "\tstorage: nfs://zoss:zoss@kzx-05/zones/zoss/kzone2.disk1", "\tid: 1", "\tbootpri not specified",
            "device:", "\tmatch: /dev/rdsk/c9t0d0", "\tstorage not specified", "\tid: 2", "\tbootpri not specified", "\tallow-mhd: true",
            "capped-memory:", "\tphysical: 16G", "\tpagesize-policy: largest-available",
            "virtual-cpu:", "\tncpus: 8",
            "suspend:", "\tpath not specified", "\tstorage.template: nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.suspend",
            "\tstorage: nfs://zoss:zoss@kzx-05/zones/zoss/kzone2.suspend",
            "keysource:", "\traw redacted");

        Assert.Equal(expected, config.ToInfo());
        ZoneConfiguration read = ZoneConfiguration.ParseInfo(expected);
        Assert.Equal(WithoutKey(config), WithoutKey(read));
        Assert.True(read.GetResources("keysource").Single().Properties.Single().IsRedacted);
        Assert.Equal(expected, read.ToInfo());
    }

    [Fact]
    public void Info_of_one_resource_type_prints_every_resource_of_that_type()
    {
        ZoneConfiguration rich = ZoneConfiguration.ParseExport(RichExport, "kzone2");
        ZoneConfiguration puppet = ZoneConfiguration.ParseExport(ReferenceConfigurations.PuppetExport, "kzone1");
        string full = rich.ToInfo();

        Assert.Equal("suspend:\n\tpath.template: /system/zones/%{zonename}/suspend\n\tpath: /system/zones/kzone1/suspend\n\tstorage not specified\n", puppet.ToInfo("suspend"));
        Assert.Equal("suspend:\n\tpath not specified\n\tstorage.template: nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.suspend\n"
            + "\tstorage: nfs://zoss:zoss@kzx-05/zones/zoss/kzone2.suspend\n", rich.ToInfo("suspend"));
        Assert.Equal("capped-memory:\n\tphysical: 16G\n\tpagesize-policy: largest-available\n", rich.ToInfo("capped-memory"));
        Assert.Equal(full[full.IndexOf("anet:\n", StringComparison.Ordinal)..full.IndexOf("device:\n", StringComparison.Ordinal)], rich.ToInfo("anet"));
        Assert.Equal(full[full.IndexOf("device:\n", StringComparison.Ordinal)..full.IndexOf("capped-memory:\n", StringComparison.Ordinal)], rich.ToInfo("device"));
        Assert.Equal(string.Empty, puppet.ToInfo("keysource"));
        Assert.Throws<ArgumentException>(() => rich.ToInfo("no-such-thing"));
    }

    [Fact]
    public void Info_of_one_global_property_prints_its_line_also_when_unset()
    {
        ZoneConfiguration rich = ZoneConfiguration.ParseExport(RichExport, "kzone2");
        ZoneConfiguration puppet = ZoneConfiguration.ParseExport(ReferenceConfigurations.PuppetExport, "kzone1");

        Assert.Equal("cpu-arch: migration-class1\n", rich.ToInfo("cpu-arch"));
        Assert.Equal("cpu-arch: \n", puppet.ToInfo("cpu-arch"));
        Assert.Equal("autoboot: true\n", puppet.ToInfo("autoboot"));
        Assert.Equal("autoboot: false\n", rich.WithProperty("autoboot", null).ToInfo("autoboot"));
        Assert.Equal("autoshutdown: suspend\n", rich.ToInfo("autoshutdown"));
        Assert.Equal("zonename: kzone2\n", rich.ToInfo("zonename"));
        Assert.Equal("bootargs: kz=d -k -m verbose\n", puppet.ToInfo("bootargs"));
    }

    [Fact]
    public void Info_zonepath_shows_the_template_and_its_expansion_for_the_current_name()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseExport("create -b\nset zonepath=/system/zones/%{zonename}\n", "nz");

        Assert.Equal("zonepath.template: /system/zones/%{zonename}\nzonepath: /system/zones/nz\n", config.ToInfo("zonepath"));
        Assert.Equal("zonepath.template: /system/zones/%{zonename}\nzonepath: /system/zones/new-zone\n", config.WithZoneName("new-zone").ToInfo("zonepath"));
        Assert.StartsWith("zonename: nz\nzonepath.template: /system/zones/%{zonename}\nzonepath: /system/zones/nz\nbrand: solaris\nautoboot: false\n", config.ToInfo(), StringComparison.Ordinal);
        Assert.Equal(config, ZoneConfiguration.ParseInfo(config.ToInfo()));
    }

    [Fact]
    public void A_resource_value_with_a_space_is_quoted_and_reads_back_without_the_quotes()
    {
        ZoneConfiguration config = new ZoneConfigurationBuilder("kz")
            .SetProperty("bootargs", "-k -m verbose")
            .AddResource("attr", ("name", "comment"), ("type", "string"), ("value", "moved \"here\" from vzl-216"))
            .AddResource("capped-memory", ("physical", "2G"), ("swap", "4G"))
            .Build();
        string info = config.ToInfo();

        Assert.Contains("\nbootargs: -k -m verbose\n", info, StringComparison.Ordinal);
        Assert.EndsWith("attr:\n\tname: comment\n\ttype: string\n\tvalue: \"moved \"here\" from vzl-216\"\ncapped-memory:\n\tphysical: 2G\n\t[swap: 4G]\n", info, StringComparison.Ordinal);
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

    private const string RichExport = """
        create -b
        set brand=solaris-kz
        set autoboot=true
        set autoshutdown=suspend
        set hostid=0x6f038b0b
        set cpu-arch=migration-class1
        set host-compatible=level1
        add anet
        set lower-link=net0
        set allowed-address=192.168.10.5/24
        set configure-allowed-address=false
        set defrouter=192.168.10.1
        set link-protection=mac-nospoof,ip-nospoof
        set mac-address=auto
        set vlan-id=10
        set priority=high
        set mtu=9000
        set maxbw=2G
        set iov=on
        set id=0
        end
        add anet
        set lower-link=auto
        set mac-address=2:8:20:a:b:c
        set lro=off
        set id=1
        end
        add device
        set storage=iscsi://zfssa/luname.naa.600144f0dbf8af19000052e820d60003
        set bootpri=0
        set id=0
        end
        add device
        set storage=nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}
        set id=1
        end
        add device
        set match=/dev/rdsk/c9t0d0
        set allow-mhd=true
        set id=2
        end
        add capped-memory
        set physical=16G
        set pagesize-policy=largest-available
        end
        add virtual-cpu
        set ncpus=8
        end
        add suspend
        set storage=nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.suspend
        end
        add keysource
        set raw=00112233445566778899aabbccddeeff
        end

        """;

    internal static ZoneConfiguration WithoutKey(ZoneConfiguration config)
    {
        ZoneConfigurationBuilder builder = config.ToBuilder();
        builder.RemoveResources(r => r.Type == "keysource");
        return builder.Build();
    }

    private static string Lines(params string[] lines) => string.Concat(lines.Select(l => l + "\n"));
}
