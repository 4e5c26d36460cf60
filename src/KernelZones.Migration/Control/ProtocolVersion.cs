
namespace KernelZones.Migration.Control;

/// <summary>The control protocol versions this library speaks.</summary>
internal static class ProtocolVersion
{
    /// <summary>The version this library speaks natively.</summary>
    public const int Current = 3;

    /// <summary>
    /// The oldest version accepted. Version 3 changed the handshake (the destination tells its host name, CPUs, ciphers
    /// and memory only to an authenticated source), so version 2 peers are refused with a version error.
    /// </summary>
    public const int Minimum = 3;

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
                $"incompatible control protocol versions: {Name(local)} speaks {Range(local)}, {Name(peer)} speaks {Range(peer)}");
        }

        return version;
    }

    /// <summary>A destination names itself only to an authenticated source (see <see cref="Minimum"/>).</summary>
    private static string Name(Hello hello) => hello.HostName.Length > 0 ? hello.HostName : "the destination";

    private static string Range(Hello hello) =>
        hello.MinVersion == hello.MaxVersion ? $"version {hello.MaxVersion}" : $"versions {hello.MinVersion}-{hello.MaxVersion}";
}
