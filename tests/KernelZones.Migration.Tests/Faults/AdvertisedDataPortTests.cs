using KernelZones.Migration.Engine;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>The option that puts the fault proxy in front of the data service (every matrix case checks that its faults fire there).</summary>
public sealed class AdvertisedDataPortTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void A_port_outside_0_to_65535_is_refused(int port) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MigrationDestinationOptions { Control = null!, CreateGuest = null!, Capabilities = null!, AdvertisedDataPort = port });
}
