using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Negotiation;

/// <summary>What this host tells its peer about itself in the control protocol's hello, once the peer is authenticated.</summary>
/// <remarks>Immutable once built; the defaults describe this machine.</remarks>
public sealed record HostOffer
{
    /// <summary>The host name. Default: <see cref="Environment.MachineName"/>.</summary>
    public string HostName { get; init; } = Environment.MachineName;

    /// <summary>The CPU count. Default: <see cref="Environment.ProcessorCount"/>.</summary>
    public int CpuCount { get; init; } = Environment.ProcessorCount;

    /// <summary>The data ciphers, in preference order. Default: <see cref="CipherSuite.Supported"/>.</summary>
    public IReadOnlyList<string> Ciphers { get; init; } = CipherSuite.Supported;

    /// <summary>Whether the operator allows <c>none</c> (no encryption). Default: <see langword="false"/>.</summary>
    public bool AllowNone { get; init; }

    /// <summary>The <c>cpu-arch</c> classes this host's CPU runs. Default: none.</summary>
    public IReadOnlyList<string> CpuArchClasses { get; init; } = [];

    /// <summary>The <c>host-compatible</c> levels this host supports. Default: none.</summary>
    public IReadOnlyList<string> HostCompatibleLevels { get; init; } = [];

    /// <summary>Memory free for zones, in bytes. Default: 0 (unknown).</summary>
    public long FreeMemoryBytes { get; init; }

    /// <summary>Optional protocol features implemented. Default: none.</summary>
    public IReadOnlyList<string> Features { get; init; } = [];
}
