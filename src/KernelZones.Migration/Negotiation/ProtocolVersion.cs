using KernelZones.Migration.Control;

namespace KernelZones.Migration.Negotiation;

/// <summary>The control protocol versions this library speaks: the current one and the previous one.</summary>
public static class ProtocolVersion
{
    /// <summary>The version this library speaks natively.</summary>
    public const int Current = 2;

    /// <summary>The oldest version accepted (the previous one).</summary>
    public const int Minimum = Current - 1;

    /// <summary>The highest version both hellos accept.</summary>
    /// <exception cref="MigrationException">The ranges do not overlap; the message names both (<see cref="MigrationFailureKind.Version"/>).</exception>
    public static int Agree(Hello local, Hello peer)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(peer);
        int version = Math.Min(local.MaxVersion, peer.MaxVersion);
        if (version < Math.Max(local.MinVersion, peer.MinVersion) || peer.MinVersion > peer.MaxVersion)
        {
            throw new MigrationException(
                MigrationFailureKind.Version,
                $"incompatible control protocol versions: {local.HostName} speaks {Range(local)}, {peer.HostName} speaks {Range(peer)}");
        }

        return version;
    }

    private static string Range(Hello hello) =>
        hello.MinVersion == hello.MaxVersion ? $"version {hello.MaxVersion}" : $"versions {hello.MinVersion}-{hello.MaxVersion}";
}
