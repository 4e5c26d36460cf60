using System.Net;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Negotiation;
using Microsoft.Extensions.Logging;

namespace KernelZones.Migration.Control;

/// <summary>Settings of the destination's <see cref="ControlService"/>.</summary>
public sealed record ControlServiceOptions
{
    /// <summary>The address to listen on. Default: <see cref="IPAddress.IPv6Any"/> in dual mode (IPv4 and IPv6).</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.IPv6Any;

    /// <summary>The TCP port; 0 picks a free one (see <see cref="ControlService.Port"/>). Default: 12302.</summary>
    public int Port { get; init; } = RemoteAddress.DefaultPort;

    /// <summary>The TLS certificate. Required.</summary>
    public required ServerIdentity Identity { get; init; }

    /// <summary>The users, their password verifiers, authorized keys and zone authorizations. Required.</summary>
    public required UserDatabase Users { get; init; }

    /// <summary>What this host announces in its hello. Default: this machine, the supported ciphers, <c>none</c> not allowed.</summary>
    public HostOffer Offer { get; init; } = new();

    /// <summary>Time for the TLS handshake, hellos and authentication together. Default: 15 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long an authenticated peer may stay silent. Default: 2 min.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Connections allowed in the handshake (TCP accepted, TLS, hellos, authentication) at once, from all peers. When
    /// that many are in it, a newcomer takes the place of the oldest connection not yet protected (protected: TLS
    /// completed and a valid hello received) of the busiest holder: the address holding the most connections within the
    /// network prefix holding the most. When every one is protected, the newcomer is closed at once. Must be at least 1.
    /// Default: 64.
    /// </summary>
    /// <remarks>
    /// Together with <see cref="MaxPendingHandshakesPerAddress"/> and <see cref="MaxPendingHandshakesPerPrefix"/>, this
    /// keeps one flooding address or network from holding every slot: a real source, which completes TLS and says
    /// hello within milliseconds, is never the busiest holder and is protected once it has said hello. Connections
    /// turned away are counted in the <c>kz.control.connections.rejected</c> counter (meter <c>KernelZones.Migration</c>)
    /// and summarized in the log at most once per 10 s, never logged one by one.
    /// </remarks>
    public int MaxPendingHandshakes { get; init; } = 64;

    /// <summary>
    /// Connections one source address may hold in the handshake at once (protected ones included); a newcomer from an
    /// address that holds this many is closed at once, without displacing anyone. IPv4-mapped IPv6 addresses count as
    /// the IPv4 address. Must be at least 1. Default: 16 (a source migrating many zones at once opens one control
    /// connection per zone, and authenticates them one at a time).
    /// </summary>
    public int MaxPendingHandshakesPerAddress { get; init; } = 16;

    /// <summary>
    /// Connections one network prefix may hold in the handshake at once: a /24 for IPv4 (IPv4-mapped IPv6 addresses
    /// included), a /64 for IPv6. Loopback addresses are no exception: 127.0.0.1 and 127.0.0.2 share 127.0.0.0/24,
    /// while 127.0.1.1 is in another prefix. When the prefix holds this many, a newcomer takes the place of the oldest
    /// unprotected connection of the address in that prefix holding the most, or is closed at once when all of them are
    /// protected. Must be at least 1. Default: 32.
    /// </summary>
    public int MaxPendingHandshakesPerPrefix { get; init; } = 32;

    /// <summary>The largest message accepted, in bytes (the zone configuration is the largest). Default: 1 MiB.</summary>
    public int MaxMessageSize { get; init; } = 1 << 20;

    /// <summary>
    /// How long an address is refused after its first authentication failure; doubles with each further consecutive
    /// failure, up to <see cref="MaxAuthenticationFailureDelay"/>. The failure itself is answered at once; an attempt from
    /// that address inside the window is refused without checking its credential ("too many failed logins from
    /// &lt;address&gt;: try again in n s"). A success, or 15 minutes without a failure, starts the address again from
    /// zero. Attempts from one address are checked one at a time. Zero turns the per-address penalty off. Default: 1 s.
    /// </summary>
    public TimeSpan AuthenticationFailureDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest per-address penalty (see <see cref="AuthenticationFailureDelay"/>). Default: 30 s.</summary>
    public TimeSpan MaxAuthenticationFailureDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Authentication failures one user name may collect in a burst, from all addresses together; after that, one more
    /// per <see cref="UserFailureInterval"/>. Once the budget is spent, an attempt for that user is refused without
    /// checking its credential ("too many failed logins for user 'x': try again in n s") until a token has refilled,
    /// except from an address that has authenticated as that user before (since the service started), whose correct
    /// credential still gets in. Unknown user names have budgets of their own exactly like known ones. At least 1.
    /// Default: 10.
    /// </summary>
    public int UserFailureBurst { get; init; } = 10;

    /// <summary>
    /// How often a user name's failure budget (see <see cref="UserFailureBurst"/>) earns back one failure; a spent budget
    /// is full again after <see cref="UserFailureBurst"/> × this. Zero turns the per-user budget off. Default: 6 s
    /// (a full budget of 10 within 60 s).
    /// </summary>
    public TimeSpan UserFailureInterval { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>For log output; <see langword="null"/> means none.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The clock of the authentication penalties (tests move it by hand). Default: <see cref="TimeProvider.System"/>.</summary>
    internal TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
