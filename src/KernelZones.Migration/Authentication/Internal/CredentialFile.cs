using System.Runtime.Versioning;

namespace KernelZones.Migration.Authentication.Internal;

/// <summary>
/// Checks the permissions of a file that holds a secret or decides who may log in, where it is read, as OpenSSH does:
/// a private key must not be readable or writable by group or others; a file that says who may log in must not be
/// writable by them; and neither may sit in a directory group or others can write to without the sticky bit (they
/// could replace the file). Unix only: on Windows nothing is checked. The owner is not checked.
/// </summary>
internal static class CredentialFile
{
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const UnixFileMode WritableByGroupOrOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>Refuses a private key file group or others can access, or that sits in a directory they can write to.</summary>
    /// <exception cref="MigrationException">The file is unprotected (<see cref="MigrationFailureKind.Credentials"/>).</exception>
    public static void RequireOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthers) != 0)
        {
            throw new MigrationException(
                MigrationFailureKind.Credentials,
                $"UNPROTECTED PRIVATE KEY FILE: {path} has mode {Octal(mode)}; a private key must not be accessible by group or others. " +
                $"It is not used. Fix it with 'chmod 600 {path}' (and consider the key compromised if others could read it).");
        }

        RequireSafeDirectory(path);
    }

    /// <summary>Refuses a file group or others can write to or replace; reports whether others can read it.</summary>
    /// <returns>The file's mode in octal when others can read it (for a warning); otherwise <see langword="null"/>.</returns>
    /// <exception cref="MigrationException">The file is writable by others (<see cref="MigrationFailureKind.Credentials"/>).</exception>
    public static string? RequireNotWritableByOthers(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        if ((mode & WritableByGroupOrOthers) != 0)
        {
            throw new MigrationException(
                MigrationFailureKind.Credentials,
                $"UNPROTECTED CREDENTIALS FILE: {path} has mode {Octal(mode)}; group or others could change who may log in. " +
                $"It is not used. Fix it with 'chmod go-w {path}' (better: chmod 600) and check its content.");
        }

        RequireSafeDirectory(path);
        return (mode & UnixFileMode.OtherRead) != 0 ? Octal(mode) : null;
    }

    [UnsupportedOSPlatform("windows")]
    private static void RequireSafeDirectory(string path)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        UnixFileMode mode = File.GetUnixFileMode(directory);
        if ((mode & WritableByGroupOrOthers) != 0 && (mode & UnixFileMode.StickyBit) == 0)
        {
            throw new MigrationException(
                MigrationFailureKind.Credentials,
                $"UNPROTECTED CREDENTIALS DIRECTORY: {directory} has mode {Octal(mode)}; group or others could replace {path}. " +
                $"It is not used. Fix it with 'chmod go-w {directory}' and check the file.");
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
