using System.Security.Cryptography;

namespace KernelZones.Migration.Transport.Ciphers;

/// <summary>
/// <c>aes-128-ccm</c> (CTR + CBC-MAC on hardware AES, NIST SP 800-38C) with a 16-byte tag: through OpenSSL with a
/// context kept per key where libcrypto is loadable (<see cref="OpenSslCcm"/>: no allocation per record), otherwise
/// the BCL's <see cref="AesCcm"/>.
/// </summary>
internal sealed class AesCcmCipher : ICipher
{
    private const int KeyBytes = 16;
    private const int TagBytes = 16;
    private readonly OpenSslCcm? _openSsl;
    private readonly AesCcm? _aes;
    private readonly Aes _block; // for empty messages only: see CcmEmptyMessage

    public AesCcmCipher(ReadOnlySpan<byte> key)
    {
        CipherArguments.CheckKey(key, KeyBytes, CipherSuite.Aes128Ccm);
        _openSsl = OpenSslCcm.TryCreate(key, CipherArguments.NonceSize, TagBytes);
        _aes = _openSsl is null ? new AesCcm(key) : null;
        _block = Aes.Create();
        _block.SetKey(key);
    }

    public string Name => CipherSuite.Aes128Ccm;

    public int KeySize => KeyBytes;

    public int NonceSize => CipherArguments.NonceSize;

    public int TagSize => TagBytes;

    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData = default)
    {
        CipherArguments.Check(nonce, plaintext, ciphertext, tag, TagBytes);
        if (plaintext.IsEmpty)
        {
            CcmEmptyMessage.ComputeTag(_block, nonce, associatedData, tag);
            return;
        }

        if (_openSsl is not null)
        {
            _openSsl.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
            return;
        }

        _aes!.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
    }

    public void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData = default)
    {
        CipherArguments.Check(nonce, ciphertext, plaintext, tag, TagBytes);
        if (ciphertext.IsEmpty)
        {
            Span<byte> expected = stackalloc byte[TagBytes];
            CcmEmptyMessage.ComputeTag(_block, nonce, associatedData, expected);
            if (!CryptographicOperations.FixedTimeEquals(expected, tag))
            {
                throw new AuthenticationTagMismatchException();
            }

            return;
        }

        if (_openSsl is not null)
        {
            _openSsl.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            return;
        }

        _aes!.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
    }

    public void Dispose()
    {
        _openSsl?.Dispose();
        _aes?.Dispose();
        _block.Dispose();
    }
}
