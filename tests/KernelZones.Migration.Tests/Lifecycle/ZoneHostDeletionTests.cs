using KernelZones.Migration.Configuration;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Tests.Configuration;

namespace KernelZones.Migration.Tests.Lifecycle;

public sealed class ZoneHostDeletionTests
{
    [Fact]
    public void A_zone_being_deleted_is_no_longer_listed_by_its_last_state_change_handler()
    {
        var host = new ZoneHost();
        Zone mig1 = host.Configure(ZoneConfiguration.ParseExport(ReferenceConfigurations.Mig1Export, "mig1"));
        string? listedOnDelete = null;
        mig1.StateChanged += (_, change) =>
        {
            if (change.Operation == ZoneOperation.Delete)
            {
                listedOnDelete = host.ListStatus();
            }
        };

        host.Delete("mig1");

        Assert.Equal("NAME             STATUS           AUXILIARY STATE\nglobal           running\n", listedOnDelete);
        Assert.Empty(host.Zones);
    }
}
