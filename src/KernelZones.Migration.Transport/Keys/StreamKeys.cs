using System.Security.Cryptography;
using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Transport.Keys;

/// <summary>
/// The keys of one stream (a stripe in one direction): creates the cipher and nonce prefix for each key
/// epoch on demand, so that a sealer and an opener rotate to the same key at the same record without
/// talking to each other.
/// </summary>
/// <remarks>Owned by one <see cref="Framing.RecordSealer"/> or <see cref="Framing.RecordOpener"/>, which disposes it. Not thread-safe.</remarks>
public sealed class StreamKeys : IDisposable
{
    private readonly SessionKeySchedule _schedule;

    internal StreamKeys(SessionKeySchedule schedule, int stripeIndex, StreamDirection direction, string cipherName)
    {
        _schedule = schedule;
        StripeIndex = stripeIndex;
        Direction = direction;
        CipherName = cipherName;
        TagSize = CipherSuite.GetTagSize(cipherName);
    }

    /// <summary>The stripe index.</summary>
    public int StripeIndex { get; }

    /// <summary>The stream's direction.</summary>
    public StreamDirection Direction { get; }

    /// <summary>The negotiated cipher's name.</summary>
    public string CipherName { get; }

    /// <summary>The cipher's tag size in bytes.</summary>
    public int TagSize { get; }

    /// <summary>Creates the cipher for <paramref name="epoch"/> and returns its nonce prefix; the derived key is zeroed before returning.</summary>
    /// <param name="epoch">The key epoch, 0 to <see cref="SessionKeySchedule.MaxEpoch"/>.</param>
    /// <param name="noncePrefix">The 4-byte nonce prefix of this stream and epoch.</param>
    public ICipher CreateCipher(uint epoch, out uint noncePrefix)
    {
        noncePrefix = SessionKeySchedule.GetNoncePrefix(StripeIndex, Direction, epoch);
        Span<byte> key = stackalloc byte[CipherSuite.KeySize];
        try
        {
            _schedule.DeriveTrafficKey(StripeIndex, Direction, epoch, key);
            return CipherSuite.Create(CipherName, CipherName == CipherSuite.None ? default : key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Zeroes the key material.</summary>
    public void Dispose() => _schedule.Dispose();
}
