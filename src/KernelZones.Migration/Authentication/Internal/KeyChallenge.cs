using System.Security.Cryptography;
using System.Text;

namespace KernelZones.Migration.Authentication.Internal;

/// <summary>
/// The bytes a key-based proof signs, bound to one TLS session: a domain label, the server's fresh
/// nonce for this connection, the SHA-256 of the server certificate the client validated (the
/// tls-server-end-point binding of RFC 5929 §4) and the user name. A signature therefore cannot be
/// replayed on another connection (new nonce) nor relayed through another server (other certificate).
/// </summary>
internal static class KeyChallenge
{
    private static readonly byte[] s_label = Encoding.ASCII.GetBytes("KernelZones control key authentication v1\0");

    public const int NonceSize = 32;

    public static byte[] Build(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> serverCertificate, string user)
    {
        byte[] userBytes = Encoding.UTF8.GetBytes(user);
        byte[] data = new byte[s_label.Length + nonce.Length + SHA256.HashSizeInBytes + userBytes.Length];
        var span = data.AsSpan();
        s_label.CopyTo(span);
        nonce.CopyTo(span[s_label.Length..]);
        SHA256.HashData(serverCertificate, span.Slice(s_label.Length + nonce.Length, SHA256.HashSizeInBytes));
        userBytes.CopyTo(span[(s_label.Length + nonce.Length + SHA256.HashSizeInBytes)..]);
        return data;
    }
}
