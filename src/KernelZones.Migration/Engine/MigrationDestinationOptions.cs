using System.Net;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Engine;

/// <summary>Settings of a destination host's migration services.</summary>
/// <remarks>Immutable after construction; safe to share.</remarks>
public sealed class MigrationDestinationOptions
{
    private readonly int _advertisedDataPort;
    private readonly TimeSpan _readinessTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The control service (port 12302 by default): identity, users, TLS and timeouts. Required.</summary>
    public required ControlServiceOptions Control { get; init; }

    /// <summary>Where the data service (<c>kz-migr</c>) listens. Default every address (IPv6 dual mode), port 8102.</summary>
    public IPEndPoint DataEndPoint { get; init; } = new(IPAddress.IPv6Any, StripeOptions.DefaultPort);

    /// <summary>
    /// The data port told to sources in the negotiation, for a data service reached through a port forward or a proxy.
    /// 0 (default) tells the port <see cref="DataEndPoint"/> is bound to. Sources connect to it on the address their
    /// control connection reached.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a port number (0 to 65535).</exception>
    public int AdvertisedDataPort
    {
        get => _advertisedDataPort;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, IPEndPoint.MaxPort);
            _advertisedDataPort = value;
        }
    }

    /// <summary>Transport settings of the data service. Default <see cref="StripeOptions.Default"/>; without a logger factory of its own, the data service logs through <c>Control.LoggerFactory</c>.</summary>
    public StripeOptions Transport { get; init; } = StripeOptions.Default;

    /// <summary>
    /// The hypervisor's factory for the guest a migrating-in zone boots on, called at "Booting zone in 'migrating-in'
    /// mode" with the zone's configuration; it returns a guest of the configuration's memory size whose vCPUs the
    /// destination keeps suspended until the commit, or, for a guest that implements <see cref="IGuestReadiness"/>, until
    /// its device state is restored (see <see cref="ReadinessTimeout"/>). Required: there is no default, so that a host never receives zones
    /// into a simulation by omission (samples and tests pass <c>Simulation.InMemoryGuest</c> explicitly). A factory that
    /// throws a <see cref="MigrationException"/> refuses the migration before any memory moves.
    /// </summary>
    public required Func<ZoneConfiguration, IGuest> CreateGuest { get; init; }

    /// <summary>
    /// What this host offers a migrating zone, for the compatibility check: free memory (bytes), vCPU limit, cpu-arch
    /// classes, host-compatible levels, storage reachability. Required: a host states what it has.
    /// </summary>
    public required DestinationCapabilities Capabilities { get; init; }

    /// <summary>An upper bound on data connections per migration; 0 (default) means only the standard rule applies.</summary>
    public int MaxStripes { get; init; }

    /// <summary>
    /// Where the zones this host receives are made durable before the commit (see <see cref="IZoneStore"/>). Default
    /// <see langword="null"/>: received zones live only in <see cref="MigrationDestination.Host"/>, and a zone committed
    /// here is lost with this process; set it on every host that must find its zones after a restart.
    /// </summary>
    public IZoneStore? ZoneStore { get; init; }

    /// <summary>How long to wait for every stripe of a transfer to connect. Default 30 s.</summary>
    public TimeSpan StripeWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long, after resuming a restored guest that implements <see cref="IGuestReadiness"/>, the destination waits
    /// for the guest's first sign of life before it fails the switchover (<see cref="MigrationFailureKind.GuestNotReady"/>):
    /// it then destroys its copy before answering, and the source resumes the zone. Default 5 s, generous for a guest
    /// whose first heartbeat is due within one heartbeat interval. The zone is suspended on the source meanwhile but
    /// already runs here, so the wait is not downtime; the source waits for the answer within its control idle
    /// timeout, so keep this well below that (2 minutes by default). It also sets the lease of a guest started before
    /// the commit: the destination announces that it runs at most 5 s + this + 1 s without the commit (counted from its
    /// answer to the last pre-copy round) and pauses it then; a source that cannot hear the destination waits that
    /// long after its switchover before it resumes the zone (docs/design.md, Readiness).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan ReadinessTimeout
    {
        get => _readinessTimeout;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _readinessTimeout = value;
        }
    }
}
