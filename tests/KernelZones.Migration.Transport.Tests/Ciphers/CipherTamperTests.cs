using System.Security.Cryptography;
using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Transport.Tests.Ciphers;

public sealed class CipherTamperTests
{
    public enum Part
    {
        Ciphertext,
        Tag,
        Nonce,
        AssociatedData,
    }

    public static TheoryData<string, Part, bool> Cases
    {
        get
        {
            var data = new TheoryData<string, Part, bool>();
            foreach (string name in new[] { CipherSuite.Aes128Ccm, CipherSuite.Aes128Gcm })
            {
                foreach (Part part in Enum.GetValues<Part>())
                {
                    data.Add(name, part, false);
                    data.Add(name, part, true);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_flipped_bit_fails_authentication_and_leaves_zeros(string cipherName, Part part, bool lastByte)
    {
        var sealedRecord = SealedRecord.Create(cipherName, plaintextLength: 1000);
        Span<byte> target = sealedRecord.Select(part);
        int index = lastByte ? target.Length - 1 : 0;
        target[index] ^= lastByte ? (byte)0x80 : (byte)0x01;
        byte[] plaintext = new byte[sealedRecord.Ciphertext.Length];
        plaintext.AsSpan().Fill(0xA5);

        Assert.Throws<AuthenticationTagMismatchException>(() => sealedRecord.Open(plaintext));
        Assert.All(plaintext, b => Assert.Equal(0, b));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_flipped_bit_fails_in_place_and_leaves_zeros(string cipherName, Part part, bool lastByte)
    {
        var sealedRecord = SealedRecord.Create(cipherName, plaintextLength: 100);
        Span<byte> target = sealedRecord.Select(part);
        target[lastByte ? target.Length - 1 : 0] ^= 0x10;

        Assert.Throws<AuthenticationTagMismatchException>(() => sealedRecord.Open(sealedRecord.Ciphertext));
        Assert.All(sealedRecord.Ciphertext, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(CipherSuite.Aes128Ccm, Part.Tag)]
    [InlineData(CipherSuite.Aes128Ccm, Part.Nonce)]
    [InlineData(CipherSuite.Aes128Ccm, Part.AssociatedData)]
    [InlineData(CipherSuite.Aes128Gcm, Part.Tag)]
    [InlineData(CipherSuite.Aes128Gcm, Part.Nonce)]
    [InlineData(CipherSuite.Aes128Gcm, Part.AssociatedData)]
    public void An_empty_message_still_authenticates_its_nonce_and_associated_data(string cipherName, Part part)
    {
        // Empty records (end of stream) carry only the tag: it alone must bind the header.
        var sealedRecord = SealedRecord.Create(cipherName, plaintextLength: 0);
        sealedRecord.Open([]);
        sealedRecord.Select(part)[5] ^= 0x04;

        Assert.Throws<AuthenticationTagMismatchException>(() => sealedRecord.Open([]));
    }

    [Theory]
    [InlineData(CipherSuite.Aes128Ccm)]
    [InlineData(CipherSuite.Aes128Gcm)]
    public void The_untampered_record_opens(string cipherName)
    {
        // Guards the tamper tests: without this they would pass for a cipher that rejects everything.
        var sealedRecord = SealedRecord.Create(cipherName, plaintextLength: 1000);
        byte[] plaintext = new byte[sealedRecord.Ciphertext.Length];

        sealedRecord.Open(plaintext);

        Assert.Equal(sealedRecord.Plaintext, plaintext);
    }

    private sealed record SealedRecord(string CipherName, byte[] Key, byte[] Nonce, byte[] AssociatedData, byte[] Plaintext, byte[] Ciphertext, byte[] Tag)
    {
        public static SealedRecord Create(string cipherName, int plaintextLength)
        {
            byte[] key = RandomNumberGenerator.GetBytes(CipherSuite.KeySize);
            byte[] nonce = RandomNumberGenerator.GetBytes(12);
            byte[] associatedData = RandomNumberGenerator.GetBytes(24);
            byte[] plaintext = RandomNumberGenerator.GetBytes(plaintextLength);
            byte[] ciphertext = new byte[plaintextLength];
            byte[] tag = new byte[CipherSuite.GetTagSize(cipherName)];
            using ICipher cipher = CipherSuite.Create(cipherName, key);
            cipher.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
            return new SealedRecord(cipherName, key, nonce, associatedData, plaintext, ciphertext, tag);
        }

        public Span<byte> Select(Part part) => part switch
        {
            Part.Ciphertext => Ciphertext,
            Part.Tag => Tag,
            Part.Nonce => Nonce,
            _ => AssociatedData,
        };

        public void Open(Span<byte> destination)
        {
            using ICipher cipher = CipherSuite.Create(CipherName, Key);
            cipher.Decrypt(Nonce, Ciphertext, Tag, destination, AssociatedData);
        }
    }
}
