using System.Security.Cryptography.X509Certificates;
using KernelZones.Migration.Negotiation;
using Microsoft.Extensions.Logging;

namespace KernelZones.Migration.Control;

/// <summary>Settings of <see cref="ControlClient"/>: how to trust the destination and how long to wait.</summary>
public sealed record ControlClientOptions
{
    /// <summary>
    /// A known-hosts file of pinned certificate fingerprints. When set, the server is trusted only if its
    /// certificate's fingerprint is pinned there (or pinned now, see <see cref="TrustOnFirstUse"/>); CA validation is not used.
    /// Default: <see langword="null"/> (validate against <see cref="TrustedRoots"/> or the system CAs, with the host name).
    /// </summary>
    public string? KnownHostsPath { get; init; }

    /// <summary>Whether an unknown host's fingerprint is pinned on first connection, as SSH does. Default: <see langword="false"/>.</summary>
    public bool TrustOnFirstUse { get; init; }

    /// <summary>CA certificates to trust instead of the system store, in CA mode. Default: <see langword="null"/> (system store).</summary>
    public X509Certificate2Collection? TrustedRoots { get; init; }

    /// <summary>What this host announces in its hello. Default: this machine, the supported ciphers, <c>none</c> not allowed.</summary>
    public HostOffer Offer { get; init; } = new();

    /// <summary>Time for TCP connect, TLS, hellos and authentication together. Default: 30 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the peer may stay silent once connected. Default: 2 min.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The largest message accepted, in bytes. Default: 1 MiB.</summary>
    public int MaxMessageSize { get; init; } = 1 << 20;

    /// <summary>For log output; <see langword="null"/> means none.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
