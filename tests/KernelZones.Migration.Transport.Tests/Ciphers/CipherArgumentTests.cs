using System.Security.Cryptography;
using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Transport.Tests.Ciphers;

public sealed class CipherArgumentTests
{
    private const int Length = 100;

    public static TheoryData<string> AllCiphers => new(CipherSuite.Known);

    [Theory]
    [MemberData(nameof(AllCiphers))]
    public void In_place_encrypt_matches_out_of_place_and_decrypts_in_place(string cipherName)
    {
        using ICipher cipher = Create(cipherName);
        byte[] nonce = RandomNumberGenerator.GetBytes(cipher.NonceSize);
        byte[] plaintext = RandomNumberGenerator.GetBytes(Length);
        byte[] expected = new byte[Length];
        byte[] expectedTag = new byte[cipher.TagSize];
        cipher.Encrypt(nonce, plaintext, expected, expectedTag, "ad"u8);

        byte[] buffer = (byte[])plaintext.Clone();
        byte[] tag = new byte[cipher.TagSize];
        cipher.Encrypt(nonce, buffer, buffer, tag, "ad"u8);
        Assert.Equal(expected, buffer);
        Assert.Equal(expectedTag, tag);

        cipher.Decrypt(nonce, buffer, tag, buffer, "ad"u8);
        Assert.Equal(plaintext, buffer);
    }

    [Theory]
    [MemberData(nameof(AllCiphers))]
    public void Partial_overlap_is_rejected_both_ways(string cipherName)
    {
        using ICipher cipher = Create(cipherName);
        byte[] nonce = new byte[cipher.NonceSize];
        byte[] tag = new byte[cipher.TagSize];
        byte[] buffer = new byte[Length + 1];

        foreach ((int input, int output) in new[] { (0, 1), (1, 0) })
        {
            Assert.Throws<ArgumentException>(
                "output", () => cipher.Encrypt(nonce, buffer.AsSpan(input, Length), buffer.AsSpan(output, Length), tag));
            Assert.Throws<ArgumentException>(
                "output", () => cipher.Decrypt(nonce, buffer.AsSpan(input, Length), tag, buffer.AsSpan(output, Length)));
        }
    }

    [Theory]
    [MemberData(nameof(AllCiphers))]
    public void Wrong_nonce_size_is_rejected(string cipherName)
    {
        using ICipher cipher = Create(cipherName);
        byte[] data = new byte[Length];
        byte[] tag = new byte[cipher.TagSize];

        foreach (int size in new[] { 0, 8, 11, 13, 16 })
        {
            byte[] nonce = new byte[size];
            Assert.Throws<ArgumentException>("nonce", () => cipher.Encrypt(nonce, data, new byte[Length], tag));
            Assert.Throws<ArgumentException>("nonce", () => cipher.Decrypt(nonce, data, tag, new byte[Length]));
        }
    }

    [Theory]
    [MemberData(nameof(AllCiphers))]
    public void Wrong_tag_size_is_rejected(string cipherName)
    {
        using ICipher cipher = Create(cipherName);
        byte[] nonce = new byte[cipher.NonceSize];
        byte[] data = new byte[Length];

        foreach (int size in new[] { cipher.TagSize + 1, cipher.TagSize == 0 ? 16 : cipher.TagSize - 1, cipher.TagSize == 0 ? 4 : 8 })
        {
            byte[] tag = new byte[size];
            Assert.Throws<ArgumentException>("tag", () => cipher.Encrypt(nonce, data, new byte[Length], tag));
            Assert.Throws<ArgumentException>("tag", () => cipher.Decrypt(nonce, data, tag, new byte[Length]));
        }
    }

    [Theory]
    [MemberData(nameof(AllCiphers))]
    public void Output_of_a_different_length_is_rejected(string cipherName)
    {
        using ICipher cipher = Create(cipherName);
        byte[] nonce = new byte[cipher.NonceSize];
        byte[] tag = new byte[cipher.TagSize];
        byte[] data = new byte[Length];

        Assert.Throws<ArgumentException>("output", () => cipher.Encrypt(nonce, data, new byte[Length - 1], tag));
        Assert.Throws<ArgumentException>("output", () => cipher.Decrypt(nonce, data, tag, new byte[Length + 1]));
    }

    [Theory]
    [InlineData(CipherSuite.Aes128Ccm, 0)]
    [InlineData(CipherSuite.Aes128Ccm, 15)]
    [InlineData(CipherSuite.Aes128Ccm, 17)]
    [InlineData(CipherSuite.Aes128Ccm, 24)]
    [InlineData(CipherSuite.Aes128Ccm, 32)]
    [InlineData(CipherSuite.Aes128Gcm, 0)]
    [InlineData(CipherSuite.Aes128Gcm, 15)]
    [InlineData(CipherSuite.Aes128Gcm, 17)]
    [InlineData(CipherSuite.Aes128Gcm, 24)]
    [InlineData(CipherSuite.Aes128Gcm, 32)]
    public void Wrong_key_size_is_rejected_with_the_cipher_named(string cipherName, int keySize)
    {
        // 24 and 32 are valid AES key sizes for the BCL; an AES-128 suite must still refuse them.
        ArgumentException e = Assert.Throws<ArgumentException>("key", () => CipherSuite.Create(cipherName, new byte[keySize]));

        Assert.Contains(cipherName, e.Message, StringComparison.Ordinal);
        Assert.Contains("16 bytes", e.Message, StringComparison.Ordinal);
    }

    private static ICipher Create(string cipherName) => CipherSuite.Create(cipherName, RandomNumberGenerator.GetBytes(CipherSuite.KeySize));
}
