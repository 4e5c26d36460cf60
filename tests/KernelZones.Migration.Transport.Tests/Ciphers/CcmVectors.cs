using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Transport.Tests.Ciphers;

/// <summary>AES-128-CCM vectors.</summary>
internal static class CcmVectors
{
    // NIST CAVP, ccmtestvectors.zip, VNT128.rsp ("variable nonce" test), block [Nlen = 12]:
    // Alen = 32, Plen = 24, Tlen = 16 - exactly our parameters (16-byte key, 12-byte nonce, 16-byte tag).
    // https://csrc.nist.gov/projects/cryptographic-algorithm-validation-program/cavp-testing-block-cipher-modes
    private const string Vnt = "NIST CAVP VNT128.rsp, [Nlen = 12]";

    private const string VntKey = "005e8f4d8e0cbf4e1ceeb5d87a275848";

    /// <summary>Vectors at our parameters, run through <see cref="ICipher"/>.</summary>
    public static readonly AeadVector[] All =
    [
        new($"{Vnt}, Count = 50", CipherSuite.Aes128Ccm,
            Key: VntKey,
            Nonce: "0ec3ac452b547b9062aac8fa",
            AssociatedData: "2f1821aa57e5278ffd33c17d46615b77363149dbc98470413f6543a6b749f2ca",
            Plaintext: "b6f345204526439daf84998f380dcfb4b4167c959c04ff65",
            Ciphertext: "9575e16f35da3c88a19c26a7b762044f4d7bbbafeff05d75",
            Tag: "4829e2a7752fa3a14890972884b511d8"),
        new($"{Vnt}, Count = 51", CipherSuite.Aes128Ccm,
            Key: VntKey,
            Nonce: "472711261a9262bef077c0b7",
            AssociatedData: "17c87889a2652636bcf712d111c86b9d68d64d18d531928030a5ec97c59931a4",
            Plaintext: "9d63df773b3799e361c5328d44bbb12f4154747ecf7cc667",
            Ciphertext: "53323b82d7a754d82cebf0d4bc930ef06d11e162c5c027c4",
            Tag: "715a641834bbb75bb6572ca5a45c3183"),
        new($"{Vnt}, Count = 52", CipherSuite.Aes128Ccm,
            Key: VntKey,
            Nonce: "6a7b80b6738ff0a23ad58fb2",
            AssociatedData: "26c12e5cdfe225a5be56d7a8aaf9fd4eb327d2f29c2ebc7396022f884f33ce54",
            Plaintext: "ba1978d58492c7f827cafef87d00f1a137f3f05a2dedb14d",
            Ciphertext: "aa1d9eacabdcdd0f54681653ac44042a3dd47e338d15604e",
            Tag: "86a0e926daf21d17b359253d0d5d5d00"),
    ];

    /// <summary>
    /// NIST SP 800-38C, Appendix C, Example 3: a 12-byte nonce like ours but an 8-byte tag (Tlen = 64),
    /// so it is checked against the BCL's <see cref="System.Security.Cryptography.AesCcm"/> directly
    /// (our <see cref="ICipher"/> writes only 16-byte tags). The tag is the encrypted MAC, the last
    /// 8 bytes of the document's C.
    /// </summary>
    public static readonly AeadVector Sp80038CExample3 = new(
        "NIST SP 800-38C, Appendix C, Example 3 (Tlen = 64)", CipherSuite.Aes128Ccm,
        Key: "404142434445464748494a4b4c4d4e4f",
        Nonce: "101112131415161718191a1b",
        AssociatedData: "000102030405060708090a0b0c0d0e0f10111213",
        Plaintext: "202122232425262728292a2b2c2d2e2f3031323334353637",
        Ciphertext: "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5",
        Tag: "484392fbc1b09951");
}
