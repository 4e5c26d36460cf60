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

    /// <summary>The delay after a first authentication failure from an address; doubles per further failure. Default: 1 s.</summary>
    public TimeSpan AuthenticationFailureDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest such delay. Default: 30 s.</summary>
    public TimeSpan MaxAuthenticationFailureDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>For log output; <see langword="null"/> means none.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
