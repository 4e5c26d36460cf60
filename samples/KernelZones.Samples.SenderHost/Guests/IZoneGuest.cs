using KernelZones.Migration.Configuration;
using KernelZones.Migration.Guests;

namespace KernelZones.Samples.SenderHost.Guests;

/// <summary>A zone's guest, booted in the migrating process for as long as the migration takes.</summary>
internal interface IZoneGuest : IAsyncDisposable
{
    /// <summary>What the engine migrates.</summary>
    IGuest Guest { get; }

    /// <summary>The zone's configuration as it goes to the destination (a KVM guest's describes its machine).</summary>
    ZoneConfiguration Configuration { get; }
}
