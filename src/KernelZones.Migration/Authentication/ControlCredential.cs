namespace KernelZones.Migration.Authentication;

/// <summary>How the source proves who it is: a password (<c>rads://</c>) or a private key (<c>ssh://</c>).</summary>
/// <remarks>Immutable; the caller keeps ownership of <see cref="Key"/> and disposes it after the connection is made.</remarks>
public sealed class ControlCredential
{
    private ControlCredential(string user, string? password, ClientKey? key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        User = user;
        Password = password;
        Key = key;
    }

    /// <summary>The remote user name.</summary>
    public string User { get; }

    /// <summary>The password, when this is a password credential.</summary>
    public string? Password { get; }

    /// <summary>The private key, when this is a key credential.</summary>
    public ClientKey? Key { get; }

    /// <summary>A password credential; the password is sent only inside TLS.</summary>
    public static ControlCredential FromPassword(string user, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        return new ControlCredential(user, password, null);
    }

    /// <summary>A key credential; the key signs a challenge bound to the TLS session.</summary>
    public static ControlCredential FromKey(string user, ClientKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new ControlCredential(user, null, key);
    }
}
