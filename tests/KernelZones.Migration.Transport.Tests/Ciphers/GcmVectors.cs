using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Transport.Tests.Ciphers;

/// <summary>AES-128-GCM vectors at our parameters: 16-byte key, 12-byte IV, 16-byte tag.</summary>
internal static class GcmVectors
{
    // D. McGrew, J. Viega, "The Galois/Counter Mode of Operation (GCM)", revised 2005, Appendix B.
    private const string Spec = "McGrew & Viega, GCM specification, Appendix B";

    // NIST CAVP, gcmtestvectors.zip, gcmEncryptExtIV128.rsp
    // (https://csrc.nist.gov/projects/cryptographic-algorithm-validation-program/cavp-testing-block-cipher-modes).
    private const string Cavp = "NIST CAVP gcmEncryptExtIV128.rsp";

    private const string Tc3Key = "feffe9928665731c6d6a8f9467308308";
    private const string Tc3Iv = "cafebabefacedbaddecaf888";

    public static readonly AeadVector[] All =
    [
        new($"{Spec}, Test Case 1", CipherSuite.Aes128Gcm,
            Key: "00000000000000000000000000000000",
            Nonce: "000000000000000000000000",
            AssociatedData: "",
            Plaintext: "",
            Ciphertext: "",
            Tag: "58e2fccefa7e3061367f1d57a4e7455a"),
        new($"{Spec}, Test Case 2", CipherSuite.Aes128Gcm,
            Key: "00000000000000000000000000000000",
            Nonce: "000000000000000000000000",
            AssociatedData: "",
            Plaintext: "00000000000000000000000000000000",
            Ciphertext: "0388dace60b6a392f328c2b971b2fe78",
            Tag: "ab6e47d42cec13bdf53a67b21257bddf"),
        new($"{Spec}, Test Case 3", CipherSuite.Aes128Gcm,
            Key: Tc3Key,
            Nonce: Tc3Iv,
            AssociatedData: "",
            Plaintext: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
            Ciphertext: "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
            Tag: "4d5c2af327cd64a62cf35abd2ba6fab4"),
        new($"{Spec}, Test Case 4", CipherSuite.Aes128Gcm,
            Key: Tc3Key,
            Nonce: Tc3Iv,
            AssociatedData: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            Plaintext: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
            Ciphertext: "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
            Tag: "5bc94fbc3221a5db94fae95ae7121a47"),
        new($"{Cavp}, [PTlen = 0] [AADlen = 128], Count = 0", CipherSuite.Aes128Gcm,
            Key: "77be63708971c4e240d1cb79e8d77feb",
            Nonce: "e0e00f19fed7ba0136a797f3",
            AssociatedData: "7a43ec1d9c0a5a78a0b16533a6213cab",
            Plaintext: "",
            Ciphertext: "",
            Tag: "209fcc8d3675ed938e9c7166709dd946"),
        new($"{Cavp}, [PTlen = 408] [AADlen = 160], first selected case", CipherSuite.Aes128Gcm,
            Key: "fe47fcce5fc32665d2ae399e4eec72ba",
            Nonce: "5adb9609dbaeb58cbd6e7275",
            AssociatedData: "88319d6e1d3ffa5f987199166c8a9b56c2aeba5a",
            Plaintext: "7c0e88c88899a779228465074797cd4c2e1498d259b54390b85e3eef1c02df60e743f1b840382c4bccaf3bafb4ca8429bea063",
            Ciphertext: "98f4826f05a265e6dd2be82db241c0fbbbf9ffb1c173aa83964b7cf5393043736365253ddbc5db8778371495da76d269e5db3e",
            Tag: "291ef1982e4defedaa2249f898556b47"),
        new($"{Cavp}, [PTlen = 408] [AADlen = 160], second selected case", CipherSuite.Aes128Gcm,
            Key: "ec0c2ba17aa95cd6afffe949da9cc3a8",
            Nonce: "296bce5b50b7d66096d627ef",
            AssociatedData: "f8d00f05d22bf68599bcdeb131292ad6e2df5d14",
            Plaintext: "b85b3753535b825cbe5f632c0b843c741351f18aa484281aebec2f45bb9eea2d79d987b764b9611f6c0f8641843d5d58f3a242",
            Ciphertext: "a7443d31c26bdf2a1c945e29ee4bd344a99cfaf3aa71f8b3f191f83c2adfc7a07162995506fde6309ffc19e716eddf1a828c5a",
            Tag: "890147971946b627c40016da1ecf3e77"),
    ];
}
