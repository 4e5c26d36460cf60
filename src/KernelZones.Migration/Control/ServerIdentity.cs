using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KernelZones.Migration.Authentication.Internal;
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

    /// <summary>How long a generated certificate is valid.</summary>
    internal static readonly TimeSpan GeneratedValidity = TimeSpan.FromDays(365);

    /// <summary>How long before its expiry a loaded identity is warned about at every load.</summary>
    internal static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

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
    /// Loads the identity kept in <paramref name="directory"/>, or generates an ECDSA P-256 self-signed certificate
    /// (valid 365 days, names: <paramref name="hostName"/>, localhost, 127.0.0.1, ::1) and keeps it there.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The private key file is refused (as OpenSSH refuses an unprotected private key) when group or others can access
    /// it, or when its directory is writable by group or others without the sticky bit; the message names the file, its
    /// mode and the <c>chmod</c> that fixes it. Unix only; nothing is checked on Windows.
    /// </para>
    /// <para>
    /// Expiry: from 30 days before its expiry, every load logs a warning. A self-signed identity that has expired is
    /// replaced by a newly generated one (a warning gives both fingerprints): a source that pinned the old fingerprint
    /// then refuses this host ("REMOTE HOST IDENTIFICATION HAS CHANGED") until its known-hosts line is replaced. An
    /// expired certificate that is not self-signed (issued by a CA) is kept, with the warning: renew it with its CA.
    /// To rotate before expiry, move both files away and start again; see the README's security model.
    /// </para>
    /// </remarks>
    /// <param name="directory">Created if missing (mode 0700); holds <see cref="CertificateFileName"/> and <see cref="KeyFileName"/> (mode 0600).</param>
    /// <param name="hostName">The DNS name to certify. Default: <see cref="Environment.MachineName"/>.</param>
    /// <param name="loggerFactory">For the generation and expiry log lines; <see langword="null"/> for none.</param>
    /// <exception cref="MigrationException">
    /// The files cannot be read or written, or the key file is not protected (<see cref="MigrationFailureKind.Credentials"/>).
    /// </exception>
    public static ServerIdentity LoadOrCreate(string directory, string? hostName = null, ILoggerFactory? loggerFactory = null) =>
        LoadOrCreate(directory, hostName, loggerFactory, TimeProvider.System);

    /// <summary><see cref="LoadOrCreate(string, string?, ILoggerFactory?)"/> on a given clock (tests move it past the expiry).</summary>
    internal static ServerIdentity LoadOrCreate(string directory, string? hostName, ILoggerFactory? loggerFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string certificatePath = Path.Combine(directory, CertificateFileName);
        string keyPath = Path.Combine(directory, KeyFileName);
        ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("KernelZones.Migration.Control");
        try
        {
            if (!File.Exists(certificatePath) || !File.Exists(keyPath))
            {
                ServerIdentity created = Create(directory, certificatePath, keyPath, hostName, time);
                MigrationLog.ServerIdentityGenerated(logger, directory, created.Fingerprint);
                return created;
            }

            CredentialFile.RequireOwnerOnly(keyPath);
            var loaded = new ServerIdentity(X509Certificate2.CreateFromPemFile(certificatePath, keyPath));
            DateTimeOffset now = time.GetUtcNow();
            DateTime notAfter = loaded.Certificate.NotAfter.ToUniversalTime();
            if (now >= notAfter && IsSelfSigned(loaded.Certificate))
            {
                using (loaded)
                {
                    ServerIdentity renewed = Create(directory, certificatePath, keyPath, hostName, time);
                    MigrationLog.ServerIdentityRenewed(logger, directory, notAfter, renewed.Fingerprint, loaded.Fingerprint);
                    return renewed;
                }
            }

            if (notAfter - now <= ExpiryWarning)
            {
                MigrationLog.ServerIdentityExpiresSoon(logger, directory, notAfter, (int)Math.Floor((notAfter - now).TotalDays));
            }

            return loaded;
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

    private static ServerIdentity Create(string directory, string certificatePath, string keyPath, string? hostName, TimeProvider time)
    {
        Generate(directory, certificatePath, keyPath, hostName ?? Environment.MachineName, time.GetUtcNow());
        CredentialFile.RequireOwnerOnly(keyPath);
        return new ServerIdentity(X509Certificate2.CreateFromPemFile(certificatePath, keyPath));
    }

    private static bool IsSelfSigned(X509Certificate2 certificate) => certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    private static void Generate(string directory, string certificatePath, string keyPath, string hostName, DateTimeOffset now)
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
        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddMinutes(-5), now + GeneratedValidity);

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
