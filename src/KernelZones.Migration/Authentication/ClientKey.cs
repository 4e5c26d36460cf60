using System.Security.Cryptography;

namespace KernelZones.Migration.Authentication;

/// <summary>
/// The source's private key for <c>ssh://</c> (key-based) authentication: ECDSA P-256 read from PEM,
/// PKCS#8 (<c>-----BEGIN PRIVATE KEY-----</c>, as <c>ssh-keygen -m PKCS8</c> writes) or SEC1
/// (<c>-----BEGIN EC PRIVATE KEY-----</c>).
/// </summary>
/// <remarks>Thread-safe for signing. Dispose it to release the key.</remarks>
public sealed class ClientKey : IDisposable
{
    private readonly ECDsa _key;

    private ClientKey(ECDsa key, string comment)
    {
        _key = key;
        PublicKey = SshPublicKey.FromECDsa(key, comment);
    }

    /// <summary>The public half, as it appears in the destination's authorized keys file.</summary>
    public SshPublicKey PublicKey { get; }

    /// <summary>Generates a new P-256 key (for tests and first-time setup).</summary>
    /// <param name="comment">The comment for <see cref="PublicKey"/>.</param>
    public static ClientKey Generate(string comment = "") => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), comment);

    /// <summary>Reads a key from PEM text.</summary>
    /// <exception cref="MigrationException">No supported P-256 private key in the text (<see cref="MigrationFailureKind.Credentials"/>).</exception>
    public static ClientKey FromPem(string pem, string comment = "")
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (pem.Contains("BEGIN OPENSSH PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new MigrationException(
                MigrationFailureKind.Credentials,
                "the key is in OpenSSH's own format; convert it with 'ssh-keygen -p -m PKCS8 -f <file>' (ECDSA P-256 keys only)");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return new ClientKey(key, comment);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or MigrationException)
        {
            key.Dispose();
            throw new MigrationException(MigrationFailureKind.Credentials, $"no ECDSA P-256 private key in PEM form: {e.Message}", e);
        }
    }

    /// <summary>Reads a key from a PEM file.</summary>
    /// <exception cref="MigrationException">The file cannot be read or holds no supported key (<see cref="MigrationFailureKind.Credentials"/>).</exception>
    public static ClientKey Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MigrationException(MigrationFailureKind.Credentials, $"cannot read private key file {path}: {e.Message}", e);
        }

        return FromPem(pem, Path.GetFileName(path));
    }

    /// <summary>The key in PKCS#8 PEM form, for storing a generated key.</summary>
    public string ExportPkcs8Pem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>Signs <paramref name="data"/> with ECDSA-SHA256; the signature is IEEE P1363 (r‖s, 64 bytes).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256);

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();
}
