using KernelZones.Migration.Control;
using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Negotiation;

/// <summary>What this host puts in its <see cref="Hello"/>.</summary>
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

    /// <summary>
    /// The hello announcing this offer and the protocol versions this library speaks. Its cipher list holds <c>none</c>
    /// only when <see cref="AllowNone"/> is set: a host lists what it would accept.
    /// </summary>
    internal Hello ToHello() => new(
        ProtocolVersion.Minimum, ProtocolVersion.Current, HostName, CpuCount,
        AllowNone ? Ciphers : [.. Ciphers.Where(c => c != CipherSuite.None)],
        AllowNone, CpuArchClasses, HostCompatibleLevels, FreeMemoryBytes, Features);
}
