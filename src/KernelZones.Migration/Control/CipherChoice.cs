using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Control;

/// <summary>Chooses the data cipher from the two hellos, inside the authenticated TLS channel.</summary>
internal static class CipherChoice
{
    /// <summary>
    /// A requested cipher must be supported by both hosts; <c>none</c> needs both hosts' opt-in; without
    /// a request, the first cipher of the source's preference order that both support (never <c>none</c>).
    /// </summary>
    /// <param name="requested">The operator's <c>-c</c> value, or <see langword="null"/>.</param>
    /// <param name="source">The source's hello.</param>
    /// <param name="destination">The destination's hello.</param>
    /// <returns>The cipher name.</returns>
    /// <exception cref="MigrationException">The rules leave no cipher; the message says which host lacks what (<see cref="MigrationFailureKind.Cipher"/>).</exception>
    public static string Choose(string? requested, Hello source, Hello destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (requested is null)
        {
            return source.Ciphers.FirstOrDefault(c => c != CipherSuite.None && destination.Ciphers.Contains(c) && CipherSuite.Known.Contains(c))
                ?? throw new MigrationException(
                    MigrationFailureKind.Cipher,
                    $"no encrypting cipher is supported by both hosts; {new CipherList(source.Ciphers, destination.Ciphers)}");
        }

        if (requested == CipherSuite.None)
        {
            string? refusing = !source.AllowNone ? $"the source ({source.HostName})" : !destination.AllowNone ? $"the destination ({destination.HostName})" : null;
            if (refusing is not null)
            {
                throw new MigrationException(MigrationFailureKind.Cipher, $"cipher 'none' (no encryption) is not allowed by {refusing}; both hosts must opt in");
            }
        }

        string? lacking = !source.Ciphers.Contains(requested) ? $"the source ({source.HostName})"
            : !destination.Ciphers.Contains(requested) ? $"the destination ({destination.HostName})"
            : null;
        return lacking is null
            ? requested
            : throw new MigrationException(
                MigrationFailureKind.Cipher,
                $"cipher '{requested}' is not supported on {lacking}; {new CipherList(source.Ciphers, destination.Ciphers)}");
    }
}
