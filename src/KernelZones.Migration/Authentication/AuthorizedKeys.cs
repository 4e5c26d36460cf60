using KernelZones.Migration.Authentication.Internal;

namespace KernelZones.Migration.Authentication;

/// <summary>
/// A user's authorized keys file in OpenSSH text form: one <c>ecdsa-sha2-nistp256 &lt;base64&gt; comment</c>
/// per line; blank lines and lines starting with <c>#</c> are ignored.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class AuthorizedKeys
{
    private AuthorizedKeys(IReadOnlyList<SshPublicKey> keys) => Keys = keys;

    /// <summary>No keys.</summary>
    public static AuthorizedKeys Empty { get; } = new([]);

    /// <summary>The keys, in file order.</summary>
    public IReadOnlyList<SshPublicKey> Keys { get; }

    /// <summary>Parses the file text.</summary>
    /// <param name="text">The file content.</param>
    /// <param name="source">The file name, for errors.</param>
    /// <exception cref="MigrationException">A line is not a supported key; the message names the line (<see cref="MigrationFailureKind.Credentials"/>).</exception>
    public static AuthorizedKeys Parse(string text, string source = "authorized keys")
    {
        ArgumentNullException.ThrowIfNull(text);
        var keys = new List<SshPublicKey>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            try
            {
                keys.Add(SshPublicKey.Parse(line));
            }
            catch (MigrationException e)
            {
                throw new MigrationException(MigrationFailureKind.Credentials, $"{source}, line {i + 1}: {e.Message}", e);
            }
        }

        return new AuthorizedKeys(keys);
    }

    /// <summary>Reads and parses a file.</summary>
    /// <remarks>On Unix the file is refused when group or others can write to it or to its directory (without the sticky bit), as OpenSSH's StrictModes does.</remarks>
    /// <exception cref="MigrationException">
    /// The file cannot be read, is writable by group or others, or a line is invalid (<see cref="MigrationFailureKind.Credentials"/>).
    /// </exception>
    public static AuthorizedKeys Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            CredentialFile.RequireNotWritableByOthers(path);
            return Parse(File.ReadAllText(path), path);
        }
        catch (IOException e)
        {
            throw new MigrationException(MigrationFailureKind.Credentials, $"cannot read authorized keys file {path}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new MigrationException(MigrationFailureKind.Credentials, $"cannot read authorized keys file {path}: {e.Message}", e);
        }
    }

    /// <summary>The key whose wire blob equals <paramref name="blob"/>, or <see langword="null"/>.</summary>
    public SshPublicKey? Find(ReadOnlySpan<byte> blob)
    {
        foreach (SshPublicKey key in Keys)
        {
            if (key.Matches(blob))
            {
                return key;
            }
        }

        return null;
    }
}
