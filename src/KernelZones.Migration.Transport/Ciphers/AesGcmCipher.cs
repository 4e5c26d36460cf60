using System.Security.Cryptography;

namespace KernelZones.Migration.Transport.Ciphers;

/// <summary><c>aes-128-gcm</c>: the BCL's <see cref="AesGcm"/> (hardware AES and carry-less multiply) with a 16-byte tag.</summary>
internal sealed class AesGcmCipher : ICipher
{
    private const int KeyBytes = 16;
    private const int TagBytes = 16;
    private readonly AesGcm _aes;

    public AesGcmCipher(ReadOnlySpan<byte> key)
    {
        CipherArguments.CheckKey(key, KeyBytes, CipherSuite.Aes128Gcm);
        _aes = new AesGcm(key, TagBytes);
    }

    public string Name => CipherSuite.Aes128Gcm;

    public int KeySize => KeyBytes;

    public int NonceSize => CipherArguments.NonceSize;

    public int TagSize => TagBytes;

    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData = default)
    {
        CipherArguments.Check(nonce, plaintext, ciphertext, tag, TagBytes);
        _aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
    }

    public void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData = default)
    {
        CipherArguments.Check(nonce, ciphertext, plaintext, tag, TagBytes);
        _aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
    }

    public void Dispose() => _aes.Dispose();
}
