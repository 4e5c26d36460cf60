using System.Collections.ObjectModel;
using System.Security.Cryptography;

namespace KernelZones.Migration.Transport.Ciphers;

/// <summary>
/// The registry of cipher names: which exist, which this platform supports, in the preference
/// order operators know from <c>zoneadm migrate -c list</c>, and how to create one.
/// </summary>
/// <remarks>All members are thread-safe.</remarks>
public static class CipherSuite
{
    /// <summary>AES-128 in CCM mode (NIST SP 800-38C), 12-byte nonce, 16-byte tag: the default.</summary>
    public const string Aes128Ccm = "aes-128-ccm";

    /// <summary>AES-128 in GCM mode (NIST SP 800-38D), 12-byte nonce, 16-byte tag.</summary>
    public const string Aes128Gcm = "aes-128-gcm";

    /// <summary>No encryption and no authentication; allowed only by explicit opt-in on both hosts.</summary>
    public const string None = "none";

    /// <summary>The key size in bytes of every AES cipher in the suite.</summary>
    public const int KeySize = 16;

    /// <summary>The largest tag any cipher in the suite writes, in bytes.</summary>
    public const int MaxTagSize = 16;

    /// <summary>Every cipher name the library knows, in preference order, whether or not this platform supports it.</summary>
    public static ReadOnlyCollection<string> Known { get; } = new([Aes128Ccm, Aes128Gcm, None]);

    /// <summary>The cipher names this platform supports, in preference order (<c>aes-128-ccm aes-128-gcm none</c> where the platform has both AEADs).</summary>
    public static ReadOnlyCollection<string> Supported { get; } = new(Known.Where(IsSupported).ToArray());

    /// <summary>Whether <paramref name="name"/> is a known cipher that this platform can run.</summary>
    /// <param name="name">A cipher name; matching is exact (lower case, as operators type it). <see langword="null"/> gives <see langword="false"/>.</param>
    public static bool IsSupported(string? name) => name switch
    {
        Aes128Ccm => AesCcm.IsSupported,
        Aes128Gcm => AesGcm.IsSupported,
        None => true,
        _ => false,
    };

    /// <summary>The tag size in bytes that <paramref name="name"/> writes.</summary>
    /// <exception cref="ArgumentException">The name is not known.</exception>
    public static int GetTagSize(string name) => name switch
    {
        Aes128Ccm or Aes128Gcm => 16,
        None => 0,
        _ => throw UnknownCipher(name),
    };

    /// <summary>Creates a cipher instance keyed with <paramref name="key"/>.</summary>
    /// <param name="name">One of <see cref="Supported"/>.</param>
    /// <param name="key">16 bytes for the AES ciphers; ignored (may be empty) for <c>none</c>. The instance keeps its own copy; the caller should zero its buffer.</param>
    /// <returns>A new, non-thread-safe instance; dispose it when done.</returns>
    /// <exception cref="ArgumentException">The name is unknown (the message lists the known names) or the key has the wrong size.</exception>
    /// <exception cref="PlatformNotSupportedException">The name is known but this platform cannot run it.</exception>
    public static ICipher Create(string name, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Known.Contains(name))
        {
            throw UnknownCipher(name);
        }

        if (!IsSupported(name))
        {
            throw new PlatformNotSupportedException($"Cipher '{name}' is not supported on this platform; supported ciphers: {string.Join(' ', Supported)}.");
        }

        return name switch
        {
            Aes128Ccm => new AesCcmCipher(key),
            Aes128Gcm => new AesGcmCipher(key),
            _ => new NoneCipher(),
        };
    }

    private static ArgumentException UnknownCipher(string? name) =>
        new($"Unknown cipher '{name}'; known ciphers: {string.Join(' ', Known)}.", nameof(name));
}
