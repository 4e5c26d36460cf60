using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KernelZones.Migration.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KernelZones.Migration.Control;

/// <summary>The control service's TLS certificate with its private key: provided by the host, or generated on first use and kept in a directory.</summary>
/// <remarks>Thread-safe. Dispose it when the service is gone.</remarks>
public sealed class ServerIdentity : IDisposable
{
    /// <summary>The certificate file name in an identity directory.</summary>
    public const string CertificateFileName = "control-cert.pem";

    /// <summary>The private key file name in an identity directory (mode 0600).</summary>
    public const string KeyFileName = "control-key.pem";

    private ServerIdentity(X509Certificate2 certificate)
    {
        Certificate = certificate;
        Fingerprint = ComputeFingerprint(certificate);
    }

    /// <summary>The certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The SHA-256 fingerprint clients pin: <c>SHA256:</c> and unpadded base64 of the certificate's DER.</summary>
    public string Fingerprint { get; }

    /// <summary>Uses a certificate the host provides (for example one issued by the site CA).</summary>
    /// <exception cref="ArgumentException">The certificate has no private key.</exception>
    public static ServerIdentity FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.HasPrivateKey ? new ServerIdentity(certificate) : throw new ArgumentException("the certificate has no private key", nameof(certificate));
    }

    /// <summary>
    /// Loads the identity kept in <paramref name="directory"/>, or generates an ECDSA P-256 self-signed
    /// certificate (valid 10 years, names: <paramref name="hostName"/>, localhost, 127.0.0.1, ::1) and keeps it there.
    /// </summary>
    /// <param name="directory">Created if missing (mode 0700); holds <see cref="CertificateFileName"/> and <see cref="KeyFileName"/> (mode 0600).</param>
    /// <param name="hostName">The DNS name to certify. Default: <see cref="Environment.MachineName"/>.</param>
    /// <param name="loggerFactory">For the generation log line; <see langword="null"/> for none.</param>
    /// <exception cref="MigrationException">The files cannot be read or written (<see cref="MigrationFailureKind.Credentials"/>).</exception>
    public static ServerIdentity LoadOrCreate(string directory, string? hostName = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string certificatePath = Path.Combine(directory, CertificateFileName);
        string keyPath = Path.Combine(directory, KeyFileName);
        try
        {
            if (!File.Exists(certificatePath) || !File.Exists(keyPath))
            {
                Generate(directory, certificatePath, keyPath, hostName ?? Environment.MachineName);
                var created = new ServerIdentity(X509Certificate2.CreateFromPemFile(certificatePath, keyPath));
                ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("KernelZones.Migration.Control");
                MigrationLog.ServerIdentityGenerated(logger, directory, created.Fingerprint);
                return created;
            }

            return new ServerIdentity(X509Certificate2.CreateFromPemFile(certificatePath, keyPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new MigrationException(MigrationFailureKind.Credentials, $"cannot load or create the server identity in {directory}: {e.Message}", e);
        }
    }

    /// <summary>The SHA-256 fingerprint of any certificate, in the form of <see cref="Fingerprint"/>.</summary>
    public static string ComputeFingerprint(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(certificate.GetRawCertData())).TrimEnd('=');
    }

    /// <inheritdoc/>
    public void Dispose() => Certificate.Dispose();

    private static void Generate(string directory, string certificatePath, string keyPath, string hostName)
    {
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostName);
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(10));

        // The key file is created with owner-only permissions before any secret is written to it.
        var keyOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            keyOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(keyPath, keyOptions))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
    }
}
