using KernelZones.Migration.Configuration;
using KernelZones.Migration.Storage;

namespace KernelZones.Migration.Tests.Configuration;

public sealed class ZoneConfigurationExportTests
{
    [Fact]
    public void Puppet_export_parses_into_the_typed_model()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseExport(ReferenceConfigurations.PuppetExport, "kzone1");

        Assert.Equal("kzone1", config.ZoneName);
        Assert.Equal("solaris-kz", config.Brand);
        Assert.True(config.Autoboot);
        Assert.Equal("shutdown", config.AutoShutdown);
        Assert.Equal("kz=d -k -m verbose", config.BootArgs);
        Assert.Equal(4L << 30, config.PhysicalMemory!.Value.Bytes);
        Assert.Equal(4, config.VirtualCpus);
        Assert.Equal(["anet", "device", "capped-memory", "virtual-cpu", "suspend"], config.Resources.Select(r => r.Type));
        ZoneStorage disk = Assert.Single(config.Storage);
        Assert.Equal("dev:/dev/zvol/dsk/rpool/VARSHARE/zones/kzone1/disk0", disk.Uri.ToString());
        Assert.Equal("dev:/dev/zvol/dsk/%{global-rootzpool}/VARSHARE/zones/%{zonename}/disk%{id}", disk.Template);
        Assert.False(disk.IsShared);
        Assert.Equal(0, disk.Id);
    }

    [Fact]
    public void Puppet_export_round_trips_byte_for_byte_apart_from_its_trailing_space()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseExport(ReferenceConfigurations.PuppetExport, "kzone1");
        string export = config.ToExport();

        Assert.Equal(ReferenceConfigurations.PuppetExport.TrimEnd() + "\n", export);
        Assert.Equal(export, ZoneConfiguration.ParseExport(export, "kzone1").ToExport());
        Assert.Contains("set bootargs=\"kz=d -k -m verbose\"\n", export, StringComparison.Ordinal);
    }

    [Fact]
    public void Memlzr_export_round_trips_and_exposes_memory_settings()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseExport(ReferenceConfigurations.MemlzrExport, "mykz");

        Assert.Equal(ReferenceConfigurations.MemlzrExport, config.ToExport());
        Assert.Equal("memlzr", config.HostCompatible);
        Assert.Equal("migration-class1", config.CpuArch);
        Assert.Equal(0x6f038b0bu, config.HostId);
        Assert.Equal("fixed", config.PageSizePolicy);
        Assert.Equal(256L << 20, config.PageSize!.Value.Bytes);
        Assert.Equal(12L << 30, config.PhysicalMemory!.Value.Bytes);
    }

    [Fact]
    public void Values_are_made_canonical_and_unknown_properties_are_kept()
    {
        const string text = "create -b\nset brand=solaris-kz\nset hostid=2E7D2173\nset x-vendor=\"a b\"\nadd capped-memory\nset physical=2048M\nend\nadd anet\nset id=1\nset configure-allowed-address=TRUE\nset custom-prop=v\nend\n";
        ZoneConfiguration config = ZoneConfiguration.ParseExport(text, "z1");

        Assert.Equal("0x2e7d2173", config.GetProperty("hostid"));
        Assert.Equal("a b", config.GetProperty("x-vendor"));
        Assert.Equal("2G", config.Resources[0].GetValue("physical"));
        Assert.Equal("true", config.Resources[1].GetValue("configure-allowed-address"));
        Assert.Equal("v", config.Resources[1].GetValue("custom-prop"));
        Assert.Contains("set x-vendor=\"a b\"\n", config.ToExport(), StringComparison.Ordinal);
    }

    [Fact]
    public void Comments_blank_lines_commit_and_crlf_are_accepted()
    {
        const string text = "# exported\r\n\r\ncreate -b\r\n  set brand = solaris-kz\r\nadd virtual-cpu\r\nset ncpus=2\r\nend\r\ncommit\r\nexit\r\n";
        ZoneConfiguration config = ZoneConfiguration.ParseExport(text, "z1");
        Assert.Equal("create -b\nset brand=solaris-kz\nadd virtual-cpu\nset ncpus=2\nend\n", config.ToExport());
    }

    [Fact]
    public void Quoted_values_with_escapes_round_trip()
    {
        ZoneConfiguration config = new ZoneConfigurationBuilder("z1").SetProperty("bootargs", "say \"hi\" \\ bye; #1").Build();
        string export = config.ToExport();
        Assert.Contains("set bootargs=\"say \\\"hi\\\" \\\\ bye; #1\"\n", export, StringComparison.Ordinal);
        Assert.Equal(config, ZoneConfiguration.ParseExport(export, "z1"));
    }

    [Fact]
    public void Set_zonename_renames_and_re_expands_templates()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseExport(ReferenceConfigurations.PuppetExport + "\nset zonename=other\n", "kzone1");
        Assert.Equal("other", config.ZoneName);
        Assert.Equal("dev:/dev/zvol/dsk/rpool/VARSHARE/zones/other/disk0", config.Storage[0].Uri.ToString());
    }

    [Theory]
    [InlineData("create -b\nset brand=solaris-kz\nadd capped-memory\nset physical=4Q\nend\n", 4, "set physical=4Q", "4G")]
    [InlineData("create -b\nset brand=solaris-kz\nadd anet\nset id=0\n", 4, "set id=0", "'end'")]
    [InlineData("create -b\nfrobnicate\n", 2, "frobnicate", "create -b, set")]
    [InlineData("set brand=solaris-kz\n", 1, "set brand=solaris-kz", "'create -b'")]
    [InlineData("create -b\nend\n", 2, "end", "'add <resource>'")]
    [InlineData("create -b\nadd anet\nadd device\n", 3, "add device", "'end'")]
    [InlineData("create -b\nset bootargs=kz=d -k\n", 2, "set bootargs=kz=d -k", "double quotes")]
    [InlineData("create -b\nset bootargs=\"open\n", 2, "set bootargs=\"open", "closing")]
    [InlineData("create -b\nset autoboot=maybe\n", 2, "set autoboot=maybe", "true or false")]
    [InlineData("create -b\nset autoshutdown=sleep\n", 2, "set autoshutdown=sleep", "shutdown, halt, suspend")]
    [InlineData("create -b\nadd device\nset id=0\nset storage=dev:/dev/%{zone}/disk\nend\n", 4, "set storage=dev:/dev/%{zone}/disk", "%{zonename}")]
    [InlineData("create -b\nadd suspend\nset path=/z/%{id}\nend\n", 3, "set path=/z/%{id}", "%{zonename}")]
    [InlineData("create -b\nadd capped-memory\nset physical=1G\nend\nadd capped-memory\nset physical=2G\nend\n", 5, "add capped-memory", "at most one")]
    [InlineData("create -b\nadd anet\nset id=0\nend\nadd anet\nset id=0\nend\n", 5, "add anet", "unique id")]
    [InlineData("create -b\nadd device\nset storage=nfs://u:g@h%{zonename}\nend\n", 2, "add device", "storage URI")]
    [InlineData("create -b\nadd device\nset storage=dev:/x/disk%{id}\nend\n", 2, "add device", "id property")]
    [InlineData("create -b\nadd capped-memory\nset pagesize-policy=fixed\nend\n", 2, "add capped-memory", "pagesize")]
    [InlineData("create -b\nadd Bad_Type\nend\n", 2, "add Bad_Type", "lower-case")]
    public void Bad_text_names_the_line_the_text_and_what_was_expected(string text, int line, string lineText, string expected)
    {
        ZoneConfigurationException e = Assert.Throws<ZoneConfigurationException>(() => ZoneConfiguration.ParseExport(text, "z1"));
        Assert.Equal(line, e.LineNumber);
        Assert.Equal(lineText, e.LineText);
        Assert.Contains(expected, e.Expected, StringComparison.Ordinal);
        Assert.Contains($"On line {line}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_errors_carry_the_storage_uri_error()
    {
        ZoneConfigurationException e = Assert.Throws<ZoneConfigurationException>(
            () => ZoneConfiguration.ParseExport("create -b\nadd device\nset storage=iscsi://h:99999/luname.naa.5000c5000288fa25\nend\n", "z1"));
        Assert.Equal(StorageUriPart.Port, Assert.IsType<StorageUriFormatException>(e.InnerException).Part);
        Assert.IsAssignableFrom<FormatException>(e.InnerException);
        Assert.Contains("invalid storage URI 'iscsi://h:99999/luname.naa.5000c5000288fa25': port: ", e.Problem, StringComparison.Ordinal);
        Assert.Equal(3, e.LineNumber);
    }

    [Fact]
    public void Empty_text_and_bad_zone_names_are_refused()
    {
        Assert.Throws<ZoneConfigurationException>(() => ZoneConfiguration.ParseExport("", "z1"));
        Assert.Throws<ZoneConfigurationException>(() => ZoneConfiguration.ParseExport("create -b\n", "global"));
        Assert.Throws<ZoneConfigurationException>(() => ZoneConfiguration.ParseExport("create -b\n", "-bad"));
    }

    [Fact]
    public void Overlong_lines_are_refused_before_they_are_buffered()
    {
        string text = "create -b\nset bootargs=" + new string('x', 10_000) + "\n";
        ZoneConfigurationException e = Assert.Throws<ZoneConfigurationException>(() => ZoneConfiguration.ParseExport(text, "z1"));
        Assert.Equal(2, e.LineNumber);
    }

    [Fact]
    public void Exporting_a_redacted_key_fails_loudly()
    {
        ZoneConfiguration config = ZoneConfiguration.ParseInfo(ReferenceConfigurations.Mig1Info);
        Assert.Throws<InvalidOperationException>(() => config.ToExport());
    }
}
