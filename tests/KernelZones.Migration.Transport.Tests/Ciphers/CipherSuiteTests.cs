using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Transport.Tests.Ciphers;

public sealed class CipherSuiteTests
{
    [Fact]
    public void Supported_lists_the_names_in_the_order_operators_know()
    {
        Assert.Equal("aes-128-ccm aes-128-gcm none", string.Join(' ', CipherSuite.Supported));
        Assert.Equal("aes-128-ccm aes-128-gcm none", string.Join(' ', CipherSuite.Known));
    }

    [Theory]
    [InlineData("aes-128-ccm", true)]
    [InlineData("aes-128-gcm", true)]
    [InlineData("none", true)]
    [InlineData("AES-128-GCM", false)]
    [InlineData("aes-256-gcm", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsSupported_matches_exact_names_only(string? name, bool expected) =>
        Assert.Equal(expected, CipherSuite.IsSupported(name));

    [Theory]
    [InlineData("aes-256-gcm")]
    [InlineData("AES-128-CCM")]
    [InlineData("")]
    public void Create_with_an_unknown_name_lists_the_known_names(string name)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => CipherSuite.Create(name, new byte[16]));

        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("aes-128-ccm aes-128-gcm none", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetTagSize_with_an_unknown_name_lists_the_known_names()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => CipherSuite.GetTagSize("chacha20-poly1305"));

        Assert.Contains("aes-128-ccm aes-128-gcm none", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_with_a_null_name_throws_ArgumentNullException() =>
        Assert.Throws<ArgumentNullException>("name", () => CipherSuite.Create(null!, new byte[16]));

    [Theory]
    [InlineData("aes-128-ccm", 16, 16)]
    [InlineData("aes-128-gcm", 16, 16)]
    [InlineData("none", 0, 0)]
    public void Created_ciphers_report_their_sizes(string name, int keySize, int tagSize)
    {
        using ICipher cipher = CipherSuite.Create(name, new byte[keySize]);

        Assert.Equal(name, cipher.Name);
        Assert.Equal(keySize, cipher.KeySize);
        Assert.Equal(12, cipher.NonceSize);
        Assert.Equal(tagSize, cipher.TagSize);
        Assert.Equal(tagSize, CipherSuite.GetTagSize(name));
    }

    [Fact]
    public void None_copies_both_ways_and_writes_no_tag()
    {
        using ICipher cipher = CipherSuite.Create(CipherSuite.None, default);
        byte[] plaintext = [1, 2, 3, 4, 5];
        byte[] ciphertext = new byte[plaintext.Length];
        byte[] roundTripped = new byte[plaintext.Length];

        cipher.Encrypt(new byte[12], plaintext, ciphertext, [], "ignored"u8);
        cipher.Decrypt(new byte[12], ciphertext, [], roundTripped, "ignored"u8);

        Assert.Equal(plaintext, ciphertext);
        Assert.Equal(plaintext, roundTripped);
    }
}
