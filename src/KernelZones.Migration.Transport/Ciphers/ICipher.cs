namespace KernelZones.Migration.Transport.Ciphers;

/// <summary>
/// An authenticated cipher with the span shape of <see cref="System.Security.Cryptography.AesGcm"/>:
/// explicit nonce, detached tag, optional associated data.
/// </summary>
/// <remarks>
/// <para>Instances are <b>not</b> thread-safe: use one per stripe and direction.</para>
/// <para>Nonces are never chosen by callers of the transport: the record framing builds them from a
/// per-stream prefix and a sequence number, so that no (key, nonce) pair is used twice.</para>
/// <para>The plaintext and ciphertext spans may be the same memory
/// (in-place operation); any other overlap is rejected with <see cref="ArgumentException"/>.</para>
/// </remarks>
public interface ICipher : IDisposable
{
    /// <summary>The cipher's name as operators type it, for example <c>aes-128-ccm</c>.</summary>
    string Name { get; }

    /// <summary>Key size in bytes (16 for the AES-128 ciphers, 0 for <c>none</c>).</summary>
    int KeySize { get; }

    /// <summary>Nonce size in bytes: always 12.</summary>
    int NonceSize { get; }

    /// <summary>Authentication tag size in bytes: 16 for the AEADs, 0 for <c>none</c>.</summary>
    int TagSize { get; }

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> and writes the tag.</summary>
    /// <param name="nonce">Exactly <see cref="NonceSize"/> bytes, never reused with the same key.</param>
    /// <param name="plaintext">Data to protect.</param>
    /// <param name="ciphertext">Destination, the same length as <paramref name="plaintext"/>.</param>
    /// <param name="tag">Destination for exactly <see cref="TagSize"/> bytes.</param>
    /// <param name="associatedData">Data authenticated but not encrypted (may be empty).</param>
    void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData = default);

    /// <summary>Verifies <paramref name="tag"/> and decrypts <paramref name="ciphertext"/> into <paramref name="plaintext"/>.</summary>
    /// <param name="nonce">Exactly <see cref="NonceSize"/> bytes.</param>
    /// <param name="ciphertext">Data to open.</param>
    /// <param name="tag">Exactly <see cref="TagSize"/> bytes.</param>
    /// <param name="plaintext">Destination, the same length as <paramref name="ciphertext"/>; cleared if authentication fails.</param>
    /// <param name="associatedData">Associated data given at encryption.</param>
    /// <exception cref="System.Security.Cryptography.AuthenticationTagMismatchException">The data, tag, nonce or associated data was altered; <paramref name="plaintext"/> is left zeroed.</exception>
    void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData = default);
}
