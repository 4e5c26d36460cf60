using FsCheck;
using FsCheck.Fluent;
using KernelZones.Migration.Configuration;

namespace KernelZones.Migration.Tests.Configuration;

public sealed class TypedValueTests
{
    [Theory]
    [InlineData("4G", 4L << 30, "4G")]
    [InlineData("512M", 512L << 20, "512M")]
    [InlineData("2048M", 2L << 30, "2G")]
    [InlineData("1.5T", 3L << 39, "1.5T")]
    [InlineData("4.75g", 19L << 28, "4.75G")]
    [InlineData("1024", 1024, "1K")]
    [InlineData("1000", 1000, "1000")]
    [InlineData("0", 0, "0")]
    public void Memory_sizes_parse_to_bytes_and_print_canonically(string text, long bytes, string canonical)
    {
        MemorySize size = MemorySize.Parse(text);
        Assert.Equal(bytes, size.Bytes);
        Assert.Equal(canonical, size.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("4Q")]
    [InlineData("-4G")]
    [InlineData("1.333G")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999T")]
    [InlineData("4 G")]
    public void Bad_memory_sizes_are_refused(string text) => Assert.Throws<FormatException>(() => MemorySize.Parse(text));

    [Fact]
    public void Any_byte_count_round_trips_through_its_canonical_text() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(
            Arb.From(Gen.OneOf(
                Gen.Choose(0, int.MaxValue).Select(i => (long)i),
                Gen.Choose(1, 1 << 20).Zip(Gen.Elements(1L << 10, 1L << 20, 1L << 30, 1L << 40)).Select(t => t.Item1 * t.Item2 / 4),
                Gen.Elements(long.MaxValue, (long.MaxValue >> 10) << 10))),
            bytes => MemorySize.Parse(new MemorySize(bytes).ToString()).Bytes == bytes));

    [Fact]
    public void Hostids_cpu_counts_and_ranges_parse_and_print()
    {
        Assert.Equal("0x2e7d2173", HostId.Parse("2E7D2173").ToString());
        Assert.Equal("0x0000000f", HostId.Parse("0xf").ToString());
        Assert.Throws<FormatException>(() => HostId.Parse("0x123456789"));
        Assert.Throws<FormatException>(() => HostId.Parse("xyz"));
        Assert.Equal(4, CpuCount.Parse("4").Value);
        Assert.Throws<FormatException>(() => CpuCount.Parse("0"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CpuCount(0));
        Assert.Equal("2-4", CpuRange.Parse("2-4").ToString());
        Assert.Equal("4", CpuRange.Parse("4").ToString());
        Assert.Throws<FormatException>(() => CpuRange.Parse("4-2"));
    }

    [Fact]
    public void Typed_views_give_zonecfg_spellings_and_plain_numbers_with_solaris_defaults()
    {
        ZoneConfiguration unset = new ZoneConfigurationBuilder("kz").SetProperty("brand", "solaris-kz").Build();
        Assert.Equal(("shutdown", "normal"), (unset.AutoShutdown, unset.BootPriority));
        Assert.Null(unset.HostId);
        Assert.Null(unset.VirtualCpus);
        Assert.Null(unset.PageSizePolicy);

        ZoneConfiguration set = unset.ToBuilder()
            .SetProperty("autoshutdown", "halt").SetProperty("boot-priority", "low").SetProperty("hostid", "2E7D2173")
            .AddResource("virtual-cpu", ("ncpus", "4")).AddResource("capped-memory", ("physical", "4G"), ("pagesize-policy", "smallest-only"))
            .Build();
        Assert.Equal(("halt", "low"), (set.AutoShutdown, set.BootPriority));
        Assert.Equal(0x2e7d2173u, set.HostId);
        Assert.Equal(4, set.VirtualCpus);
        Assert.Equal("smallest-only", set.PageSizePolicy);
        Assert.Throws<ZoneConfigurationException>(() => unset.WithProperty("boot-priority", "urgent"));
    }
}
