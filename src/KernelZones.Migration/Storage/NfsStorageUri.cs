using System.Globalization;

namespace KernelZones.Migration.Storage;

/// <summary>
/// An <c>nfs://user:group@host[:port]/share/path/file</c> URI: a file on an NFS share used as a disk through
/// lofi. User and group are names or numeric ids. Shared storage.
/// </summary>
internal sealed class NfsStorageUri : StorageUri
{
    private const int MaxIdentityLength = 32;

    private NfsStorageUri(string user, string group, string host, int? port, string path)
    {
        User = user;
        Group = group;
        Host = host;
        Port = port;
        Path = path;
    }

    /// <inheritdoc/>
    public override StorageUriKind Kind => StorageUriKind.Nfs;

    /// <summary>The user (name or numeric id) that owns the file.</summary>
    public string User { get; }

    /// <summary>The group (name or numeric id) that owns the file.</summary>
    public string Group { get; }

    /// <summary>The NFS server (lower case; IPv6 in brackets).</summary>
    public string Host { get; }

    /// <summary>The port written in the URI, or <see langword="null"/> for the NFS default.</summary>
    public int? Port { get; }

    /// <summary>The absolute path of the file on the server.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public override string ToString() => Port is null
        ? $"nfs://{User}:{Group}@{Host}{Path}"
        : $"nfs://{User}:{Group}@{Host}:{Port.Value.ToString(CultureInfo.InvariantCulture)}{Path}";

    internal static NfsStorageUri? Read(ref StorageUriReader reader)
    {
        if (!reader.TryConsume("nfs://"))
        {
            reader.Fail(StorageUriPart.Scheme, "expected nfs://user:group@host/path");
            return null;
        }

        ReadOnlySpan<char> user = reader.TakeUntil(':');
        if (!IsIdentity(user) || !reader.TryConsume(":"))
        {
            reader.Fail(StorageUriPart.User, "expected a user name or id followed by ':group@host'");
            return null;
        }

        ReadOnlySpan<char> group = reader.TakeUntil('@');
        if (!IsIdentity(group) || !reader.TryConsume("@"))
        {
            reader.Fail(StorageUriPart.Group, "expected a group name or id followed by '@host'");
            return null;
        }

        if (!reader.TryReadAuthority(out string? host, out int? port))
        {
            return null;
        }

        if (host is null)
        {
            return (NfsStorageUri?)reader.Fail(StorageUriPart.Host, "an NFS URI needs a server");
        }

        if (!StoragePaths.IsFilePath(reader.Rest) )
        {
            return (NfsStorageUri?)reader.Fail(StorageUriPart.Path, "expected an absolute share path to a file, without empty, '.' or '..' segments");
        }

        return new NfsStorageUri(user.ToString(), group.ToString(), host, port, reader.Rest.ToString());
    }

    private static bool IsIdentity(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > MaxIdentityLength)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
