using System.Security.Cryptography;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Keys;

namespace KernelZones.Migration.Transport.Striping;

/// <summary>
/// What both ends agreed about one transfer over the authenticated control channel: its id, the session
/// secret the stripe keys derive from, the cipher, and the number of stripes.
/// </summary>
/// <remarks>Keeps a private copy of the secret and zeroes it on <see cref="Dispose"/>. Thread-safe for reads.</remarks>
public sealed class TransferDescriptor : IDisposable
{
    private readonly byte[] _secret;

    /// <summary>Creates a descriptor.</summary>
    /// <param name="migrationId">The migration (transfer) id; stripes name it in their handshake.</param>
    /// <param name="sessionSecret">The 32-byte session secret; copied, so the caller may zero its buffer.</param>
    /// <param name="cipherName">The negotiated cipher, one of <see cref="CipherSuite.Supported"/>.</param>
    /// <param name="stripeCount">The number of stripes (TCP connections), 1 to 32,768.</param>
    public TransferDescriptor(Guid migrationId, ReadOnlySpan<byte> sessionSecret, string cipherName, int stripeCount)
    {
        ArgumentNullException.ThrowIfNull(cipherName);
        ArgumentOutOfRangeException.ThrowIfLessThan(stripeCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stripeCount, SessionKeySchedule.MaxStripeIndex + 1);
        if (sessionSecret.Length != SessionKeySchedule.SecretSize)
        {
            throw new ArgumentException($"The session secret must be {SessionKeySchedule.SecretSize} bytes, not {sessionSecret.Length}.", nameof(sessionSecret));
        }

        if (!CipherSuite.IsSupported(cipherName))
        {
            throw new ArgumentException($"Cipher '{cipherName}' is not supported here; supported ciphers: {string.Join(' ', CipherSuite.Supported)}.", nameof(cipherName));
        }

        MigrationId = migrationId;
        CipherName = cipherName;
        StripeCount = stripeCount;
        _secret = sessionSecret.ToArray();
    }

    /// <summary>The migration id.</summary>
    public Guid MigrationId { get; }

    /// <summary>The negotiated cipher's name.</summary>
    public string CipherName { get; }

    /// <summary>The number of stripes.</summary>
    public int StripeCount { get; }

    /// <summary>Zeroes the secret.</summary>
    public void Dispose() => CryptographicOperations.ZeroMemory(_secret);

    internal SessionKeySchedule CreateKeySchedule() => new(_secret, MigrationId);
}
