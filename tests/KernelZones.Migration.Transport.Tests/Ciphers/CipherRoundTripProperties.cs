using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Transport.Tests.Ciphers;

[Properties(MaxTest = 300, Arbitrary = [typeof(CipherRoundTripProperties)])]
public sealed class CipherRoundTripProperties
{
    [Property]
    public static bool Every_cipher_round_trips_any_key_nonce_associated_data_and_plaintext(RoundTripCase c)
    {
        using ICipher cipher = CipherSuite.Create(c.CipherName, c.Key);
        byte[] ciphertext = new byte[c.Plaintext.Length];
        byte[] tag = new byte[cipher.TagSize];
        byte[] opened = new byte[c.Plaintext.Length];

        cipher.Encrypt(c.Nonce, c.Plaintext, ciphertext, tag, c.AssociatedData);
        cipher.Decrypt(c.Nonce, ciphertext, tag, opened, c.AssociatedData);

        return opened.AsSpan().SequenceEqual(c.Plaintext);
    }

    [Property]
    public static bool The_aeads_agree_with_the_bcl_they_wrap(RoundTripCase c)
    {
        if (c.CipherName == CipherSuite.None)
        {
            return true;
        }

        using ICipher cipher = CipherSuite.Create(c.CipherName, c.Key);
        byte[] ours = new byte[c.Plaintext.Length + cipher.TagSize];
        byte[] theirs = new byte[ours.Length];
        cipher.Encrypt(c.Nonce, c.Plaintext, ours.AsSpan(0, c.Plaintext.Length), ours.AsSpan(c.Plaintext.Length), c.AssociatedData);

        if (c.CipherName == CipherSuite.Aes128Gcm)
        {
            using var gcm = new AesGcm(c.Key, 16);
            gcm.Encrypt(c.Nonce, c.Plaintext, theirs.AsSpan(0, c.Plaintext.Length), theirs.AsSpan(c.Plaintext.Length), c.AssociatedData);
        }
        else
        {
            using var ccm = new AesCcm(c.Key);
            ccm.Encrypt(c.Nonce, c.Plaintext, theirs.AsSpan(0, c.Plaintext.Length), theirs.AsSpan(c.Plaintext.Length), c.AssociatedData);
        }

        return ours.AsSpan().SequenceEqual(theirs);
    }

    /// <summary>The generator FsCheck finds through <c>Arbitrary = [typeof(CipherRoundTripProperties)]</c>.</summary>
    public static Arbitrary<RoundTripCase> Cases()
    {
        Gen<byte> bytes = ArbMap.Default.GeneratorFor<byte>();

        // Empty messages (end-of-stream records are empty) and lengths around AES block boundaries as often
        // as arbitrary ones, up to a few pages.
        Gen<int> lengths = Gen.Frequency(
            (1, Gen.Constant(0)),
            (2, Gen.Choose(1, 64)),
            (1, Gen.Elements(15, 16, 17, 4095, 4096, 4097)),
            (1, Gen.Choose(0, 9000)));

        Gen<RoundTripCase> gen =
            from name in Gen.Elements<string>(CipherSuite.Supported)
            from key in bytes.ArrayOf(name == CipherSuite.None ? 0 : CipherSuite.KeySize)
            from nonce in bytes.ArrayOf(12)
            from adLength in Gen.Choose(0, 48)
            from associatedData in bytes.ArrayOf(adLength)
            from length in lengths
            from plaintext in bytes.ArrayOf(length)
            select new RoundTripCase(name, key, nonce, associatedData, plaintext);

        return Arb.From(gen);
    }

    public sealed record RoundTripCase(string CipherName, byte[] Key, byte[] Nonce, byte[] AssociatedData, byte[] Plaintext)
    {
        public override string ToString() =>
            $"{CipherName} key={Convert.ToHexString(Key)} nonce={Convert.ToHexString(Nonce)} ad={AssociatedData.Length}B pt={Plaintext.Length}B";
    }
}
