using System.Net.Security;
using System.Runtime.Versioning;

namespace KernelZones.Migration.Control.Internal;

/// <summary>
/// The TLS cipher suites the control service offers: AEAD only. TLS 1.3 has nothing else; for TLS 1.2 the platform
/// default also offers CBC-mode suites (HMAC then encrypt), whose padding checks are the subject of timing attacks such
/// as Lucky Thirteen, so only ECDHE with AES-GCM or ChaCha20-Poly1305 remains (ECDSA for the generated identity, RSA for
/// a CA-issued one).
/// </summary>
internal static class AeadCipherSuites
{
    private static CipherSuitesPolicy? s_policy;

    /// <summary>The suites, most preferred first.</summary>
    public static IReadOnlyList<TlsCipherSuite> Suites { get; } =
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>The policy for <see cref="SslServerAuthenticationOptions.CipherSuitesPolicy"/>; only Linux lets SslStream restrict suites.</summary>
    [SupportedOSPlatform("linux")]
    public static CipherSuitesPolicy Policy => s_policy ??= new CipherSuitesPolicy(Suites);
}
