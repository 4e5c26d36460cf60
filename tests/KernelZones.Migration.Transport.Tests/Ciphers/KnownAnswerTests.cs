using System.Security.Cryptography;
using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Transport.Tests.Ciphers;

public sealed class KnownAnswerTests
{
    private static readonly Dictionary<string, AeadVector> s_vectors =
        GcmVectors.All.Concat(CcmVectors.All).ToDictionary(v => v.Source);

    // The vector's source names the theory case, so a failure says which published vector broke.
    public static TheoryData<string> Vectors => new(s_vectors.Keys);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Encrypt_produces_the_published_ciphertext_and_tag(string source)
    {
        AeadVector vector = s_vectors[source];
        using ICipher cipher = CipherSuite.Create(vector.CipherName, vector.KeyBytes);
        byte[] ciphertext = new byte[vector.PlaintextBytes.Length];
        byte[] tag = new byte[cipher.TagSize];

        cipher.Encrypt(vector.NonceBytes, vector.PlaintextBytes, ciphertext, tag, vector.AssociatedDataBytes);

        Assert.Equal(vector.Ciphertext, Convert.ToHexStringLower(ciphertext));
        Assert.Equal(vector.Tag, Convert.ToHexStringLower(tag));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Decrypt_returns_the_published_plaintext(string source)
    {
        AeadVector vector = s_vectors[source];
        using ICipher cipher = CipherSuite.Create(vector.CipherName, vector.KeyBytes);
        byte[] plaintext = new byte[vector.CiphertextBytes.Length];

        cipher.Decrypt(vector.NonceBytes, vector.CiphertextBytes, vector.TagBytes, plaintext, vector.AssociatedDataBytes);

        Assert.Equal(vector.Plaintext, Convert.ToHexStringLower(plaintext));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Decrypt_rejects_the_published_vector_with_a_flipped_tag_bit(string source)
    {
        AeadVector vector = s_vectors[source];
        using ICipher cipher = CipherSuite.Create(vector.CipherName, vector.KeyBytes);
        byte[] tag = vector.TagBytes;
        tag[^1] ^= 0x80;
        byte[] plaintext = new byte[vector.CiphertextBytes.Length];
        plaintext.AsSpan().Fill(0xA5);

        Assert.Throws<AuthenticationTagMismatchException>(
            () => cipher.Decrypt(vector.NonceBytes, vector.CiphertextBytes, tag, plaintext, vector.AssociatedDataBytes));
        Assert.All(plaintext, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Ccm_sp800_38c_example_3_with_an_8_byte_tag_matches_the_bcl()
    {
        // Our ICipher writes only 16-byte tags; this vector (12-byte nonce, 8-byte tag) checks that the
        // AesCcm we build on handles our nonce size per the standard.
        AeadVector vector = CcmVectors.Sp80038CExample3;
        using var aes = new AesCcm(vector.KeyBytes);
        byte[] ciphertext = new byte[vector.PlaintextBytes.Length];
        byte[] tag = new byte[vector.TagBytes.Length];
        byte[] plaintext = new byte[ciphertext.Length];

        aes.Encrypt(vector.NonceBytes, vector.PlaintextBytes, ciphertext, tag, vector.AssociatedDataBytes);
        aes.Decrypt(vector.NonceBytes, vector.CiphertextBytes, vector.TagBytes, plaintext, vector.AssociatedDataBytes);

        Assert.Equal(vector.Ciphertext, Convert.ToHexStringLower(ciphertext));
        Assert.Equal(vector.Tag, Convert.ToHexStringLower(tag));
        Assert.Equal(vector.Plaintext, Convert.ToHexStringLower(plaintext));
    }
}
