using KernelZones.Migration.Configuration;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Tests.Hostile;

namespace KernelZones.Migration.Tests.Lifecycle;

public sealed class ZoneDirectoryTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("kz-zonedir-");

    private string Zones => Path.Combine(_root.FullName, "zones");

    [Fact]
    public async Task Saved_zones_load_back_in_name_order_and_a_save_replaces_the_earlier_record()
    {
        var directory = new ZoneDirectory(Zones);
        await directory.SaveAsync(TestHost.KernelZone("web2", 1L << 30), CancellationToken.None);
        await directory.SaveAsync(TestHost.KernelZone("web1", 1L << 30), CancellationToken.None);
        ZoneConfiguration larger = TestHost.KernelZone("web1", 2L << 30);
        await directory.SaveAsync(larger, CancellationToken.None);

        IReadOnlyList<ZoneConfiguration> loaded = new ZoneDirectory(Zones).Load();

        Assert.Equal(["web1", "web2"], loaded.Select(z => z.ZoneName));
        Assert.Equal(larger, loaded[0]);
        Assert.Equal(larger.ToExport(), File.ReadAllText(Path.Combine(Zones, "web1.cfg")));
        Assert.Equal(["web1.cfg", "web2.cfg"], Directory.GetFiles(Zones).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Delete_removes_the_record_and_leftovers_of_an_interrupted_save_are_never_read()
    {
        var directory = new ZoneDirectory(Zones);
        await directory.SaveAsync(TestHost.KernelZone("web1", 1L << 30), CancellationToken.None);
        File.WriteAllText(Path.Combine(Zones, "web2.cfg.new"), "create -b\nset brand=solaris-kz\nadd capped-me"); // a crash mid-save

        Assert.Equal(["web1"], directory.Load().Select(z => z.ZoneName));
        await directory.DeleteAsync("web1", CancellationToken.None);
        await directory.DeleteAsync("web2", CancellationToken.None);
        await directory.DeleteAsync("never-saved", CancellationToken.None);

        Assert.Empty(directory.Load());
        Assert.Empty(Directory.GetFiles(Zones));
    }

    [Fact]
    public void A_damaged_record_is_refused_naming_its_file()
    {
        Directory.CreateDirectory(Zones);
        string file = Path.Combine(Zones, "web1.cfg");
        File.WriteAllText(file, "create -b\nset brand=solaris-kz\nset autoboot=maybe\n");

        var error = Assert.Throws<ZoneConfigurationException>(() => new ZoneDirectory(Zones).Load());

        Assert.StartsWith(file + ": ", error.Problem, StringComparison.Ordinal);
        Assert.Contains("maybe", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_save_that_cannot_be_written_fails_and_leaves_the_earlier_record_whole()
    {
        var directory = new ZoneDirectory(Zones);
        ZoneConfiguration first = TestHost.KernelZone("web1", 1L << 30);
        await directory.SaveAsync(first, CancellationToken.None);
        Directory.CreateDirectory(Path.Combine(Zones, "web1.cfg.new")); // the temporary file's name is taken: the write fails

        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => directory.SaveAsync(TestHost.KernelZone("web1", 2L << 30), CancellationToken.None));

        Assert.True(error is IOException or UnauthorizedAccessException, error.ToString());

        Assert.Equal(first, Assert.Single(directory.Load()));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("..")]
    [InlineData("a/b")]
    public void A_name_that_is_not_a_file_name_is_refused(string zoneName)
    {
        Assert.Throws<ArgumentException>(() => new ZoneDirectory(Zones).FileOf(zoneName));
    }

    public void Dispose() => _root.Delete(recursive: true);
}
