using KernelZones.Migration.Negotiation;
using System.Security.Cryptography;

namespace KernelZones.Migration.Control;

/// <summary>The destination's side of <see cref="Negotiate"/>: cipher, stripes, fresh id and secret.</summary>
internal static class MigrationSession
{
    /// <summary>The session secret size in bytes: 32.</summary>
    public const int SecretSize = 32;

    /// <summary>Answers a <see cref="Negotiate"/> request.</summary>
    /// <param name="request">The source's request.</param>
    /// <param name="source">The source's hello.</param>
    /// <param name="destination">The destination's hello.</param>
    /// <param name="dataPort">The destination's data service port (1-65535).</param>
    /// <param name="destinationStripeCap">The destination's own cap; 0 means none.</param>
    /// <returns>The result with a fresh random <see cref="NegotiateResult.MigrationId"/> and 32-byte <see cref="NegotiateResult.SessionSecret"/>; the caller should zero the secret when done.</returns>
    /// <exception cref="MigrationException">No acceptable cipher (<see cref="MigrationFailureKind.Cipher"/>).</exception>
    public static NegotiateResult Create(Negotiate request, Hello source, Hello destination, int dataPort, int destinationStripeCap = 0)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(dataPort, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dataPort, 65535);
        string cipher = CipherChoice.Choose(request.RequestedCipher, source, destination);
        int cap = request.StripeCap > 0 && destinationStripeCap > 0 ? Math.Min(request.StripeCap, destinationStripeCap) : Math.Max(request.StripeCap, destinationStripeCap);
        int stripes = StripeRule.Count(request.MemoryBytes, source.CpuCount, destination.CpuCount, cap);
        return new NegotiateResult(cipher, stripes, Guid.NewGuid(), RandomNumberGenerator.GetBytes(SecretSize), dataPort);
    }
}
