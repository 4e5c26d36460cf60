using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace KernelZones.Migration.Authentication;

/// <summary>
/// An ECDSA P-256 public key in OpenSSH form: the authorized_keys line
/// <c>ecdsa-sha2-nistp256 &lt;base64 wire blob&gt; [comment]</c>, whose blob (RFC 5656 §3.1) is
/// string "ecdsa-sha2-nistp256", string "nistp256", string Q (uncompressed point, 65 bytes).
/// </summary>
/// <remarks>Immutable and thread-safe; verification creates a short-lived <see cref="ECDsa"/>.</remarks>
public sealed class SshPublicKey
{
    /// <summary>The key type name, as OpenSSH writes it.</summary>
    public const string KeyType = "ecdsa-sha2-nistp256";

    private const string CurveName = "nistp256";
    private const int PointSize = 65;
    private readonly byte[] _blob;
    private readonly byte[] _point;

    private SshPublicKey(byte[] blob, byte[] point, string comment)
    {
        _blob = blob;
        _point = point;
        Comment = comment;
    }

    /// <summary>The comment after the key (often <c>user@host</c>); empty when there is none.</summary>
    public string Comment { get; }

    /// <summary>The fingerprint as <c>ssh-keygen -l</c> prints it: <c>SHA256:</c> and unpadded base64.</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(_blob)).TrimEnd('=');

    /// <summary>Parses one authorized_keys line (without OpenSSH options).</summary>
    /// <exception cref="MigrationException">Not an <c>ecdsa-sha2-nistp256</c> key line (<see cref="MigrationFailureKind.Credentials"/>).</exception>
    public static SshPublicKey Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string[] fields = line.Trim().Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2)
        {
            throw Invalid($"expected '{KeyType} <base64 key> [comment]'");
        }

        if (fields[0] != KeyType)
        {
            throw Invalid($"key type '{fields[0]}' is not supported; only {KeyType} is");
        }

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(fields[1]);
        }
        catch (FormatException e)
        {
            throw Invalid("the key is not base64", e);
        }

        return FromBlob(blob, fields.Length == 3 ? fields[2] : string.Empty);
    }

    /// <summary>Reads a key from its SSH wire blob.</summary>
    /// <exception cref="MigrationException">Not a P-256 key blob (<see cref="MigrationFailureKind.Credentials"/>).</exception>
    public static SshPublicKey FromBlob(ReadOnlySpan<byte> blob, string comment = "")
    {
        ReadOnlySpan<byte> rest = blob;
        if (!ReadString(ref rest, out ReadOnlySpan<byte> type) || !type.SequenceEqual(Encoding.ASCII.GetBytes(KeyType)))
        {
            throw Invalid($"the blob does not start with the type {KeyType}");
        }

        if (!ReadString(ref rest, out ReadOnlySpan<byte> curve) || !curve.SequenceEqual(Encoding.ASCII.GetBytes(CurveName)))
        {
            throw Invalid($"the blob does not name the curve {CurveName}");
        }

        if (!ReadString(ref rest, out ReadOnlySpan<byte> point) || point.Length != PointSize || point[0] != 0x04 || !rest.IsEmpty)
        {
            throw Invalid("the blob does not end with one uncompressed 65-byte P-256 point");
        }

        var key = new SshPublicKey(blob.ToArray(), point.ToArray(), comment);
        using ECDsa check = key.CreateVerifier();
        return key;
    }

    /// <summary>The key of an ECDSA P-256 key pair, e.g. one loaded by <see cref="ClientKey"/>.</summary>
    /// <exception cref="MigrationException">The key is not on P-256 (<see cref="MigrationFailureKind.Credentials"/>).</exception>
    public static SshPublicKey FromECDsa(ECDsa key, string comment = "")
    {
        ArgumentNullException.ThrowIfNull(key);
        ECParameters parameters = key.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value || parameters.Q.X is null || parameters.Q.Y is null)
        {
            throw Invalid("the key is not on the P-256 curve");
        }

        byte[] point = [0x04, .. parameters.Q.X, .. parameters.Q.Y];
        byte[] blob = [.. SshString(Encoding.ASCII.GetBytes(KeyType)), .. SshString(Encoding.ASCII.GetBytes(CurveName)), .. SshString(point)];
        return new SshPublicKey(blob, point, comment);
    }

    /// <summary>A copy of the SSH wire blob.</summary>
    public byte[] ToBlob() => (byte[])_blob.Clone();

    /// <summary>Whether this key has the same blob as <paramref name="blob"/>.</summary>
    public bool Matches(ReadOnlySpan<byte> blob) => blob.SequenceEqual(_blob);

    /// <summary>Checks an IEEE P1363 (r‖s) ECDSA-SHA256 signature over <paramref name="data"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        using ECDsa verifier = CreateVerifier();
        return verifier.VerifyData(data, signature, HashAlgorithmName.SHA256);
    }

    /// <summary>The authorized_keys line: type, base64 blob and the comment if any.</summary>
    public override string ToString() =>
        Comment.Length == 0 ? $"{KeyType} {Convert.ToBase64String(_blob)}" : $"{KeyType} {Convert.ToBase64String(_blob)} {Comment}";

    private ECDsa CreateVerifier()
    {
        try
        {
            return ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = _point[1..33], Y = _point[33..] },
            });
        }
        catch (CryptographicException e)
        {
            throw Invalid("the point is not on the P-256 curve", e);
        }
    }

    private static bool ReadString(ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (input.Length < 4)
        {
            return false;
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(input);
        if (length > (uint)(input.Length - 4))
        {
            return false;
        }

        value = input.Slice(4, (int)length);
        input = input[(4 + (int)length)..];
        return true;
    }

    private static byte[] SshString(byte[] value)
    {
        byte[] result = new byte[4 + value.Length];
        BinaryPrimitives.WriteUInt32BigEndian(result, (uint)value.Length);
        value.CopyTo(result, 4);
        return result;
    }

    private static MigrationException Invalid(string problem, Exception? inner = null) =>
        new(MigrationFailureKind.Credentials, $"invalid {KeyType} public key: {problem}", inner);
}
