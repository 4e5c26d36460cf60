using KernelZones.Migration.Authentication;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>How a case's destination differs from a willing one (the refusals); null members keep the defaults.</summary>
internal sealed class FaultSetup
{
    public static FaultSetup Willing { get; } = new();

    public ZoneAuthorization? Authorization { get; init; }

    public DestinationCapabilities? Capabilities { get; init; }

    public Func<ZoneConfiguration, IGuest>? CreateGuest { get; init; }

    /// <summary>Changes the destination host before its services start (a zone already there).</summary>
    public Action<ZoneHost>? Prepare { get; init; }

    /// <summary>The password the source presents; null for the right one.</summary>
    public string? Password { get; init; }
}
