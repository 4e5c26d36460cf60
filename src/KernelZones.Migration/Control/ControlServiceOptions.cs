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
    /// Connections allowed in the handshake (TLS, hellos, authentication) at once. When that many are in it, a new
    /// connection closes the oldest one that has not yet reached its turn to authenticate; when every one has, the new
    /// connection is closed at once. Default: 64.
    /// </summary>
    public int MaxPendingHandshakes { get; init; } = 64;

    /// <summary>The largest message accepted, in bytes (the zone configuration is the largest). Default: 1 MiB.</summary>
    public int MaxMessageSize { get; init; } = 1 << 20;

    /// <summary>The delay after a first authentication failure from an address; doubles per further failure. Default: 1 s.</summary>
    public TimeSpan AuthenticationFailureDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest such delay. Default: 30 s.</summary>
    public TimeSpan MaxAuthenticationFailureDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>For log output; <see langword="null"/> means none.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
