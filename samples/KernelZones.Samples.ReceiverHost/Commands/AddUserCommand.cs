using KernelZones.Migration.Authentication;

namespace KernelZones.Samples.ReceiverHost.Commands;

/// <summary>
/// <c>adduser &lt;name&gt; [--zones *|z1,z2] [--key &lt;public key file&gt;] [--no-password]</c>: writes the user's line into the
/// users file (replacing an earlier one) and appends a public key to the user's authorized keys file.
/// </summary>
internal sealed class AddUserCommand(ReceiverSettings settings)
{
    public int Run(string user, string? zoneList, string? keyFile, bool noPassword)
    {
        ZoneAuthorization zones = zoneList switch
        {
            null or "*" => ZoneAuthorization.All,
            "-" => ZoneAuthorization.None,
            string list => ZoneAuthorization.For(list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
        };
        PasswordVerifier? password = noPassword ? null : ReadPassword();
        string entry = UserDatabase.FormatEntry(user, zones, password);
        UserDatabase.Parse(entry, "new entry");
        WriteEntry(user, entry);
        Console.WriteLine($"user '{user}' written to {settings.UsersFile}");

        if (keyFile is not null)
        {
            SshPublicKey key = SshPublicKey.Parse(File.ReadAllText(keyFile).Trim());
            string authorized = settings.AuthorizedKeysFile(user);
            Directory.CreateDirectory(Path.GetDirectoryName(authorized)!);
            File.AppendAllText(authorized, key + "\n");
            Console.WriteLine($"key {key.Fingerprint} added to {authorized}");
        }

        return 0;
    }

    private static PasswordVerifier ReadPassword()
    {
        string password = PasswordPrompt.Read("New Password: ");
        if (!Console.IsInputRedirected && PasswordPrompt.Read("Re-enter new Password: ") != password)
        {
            throw new UsageException("the passwords do not match");
        }

        return PasswordVerifier.Create(password);
    }

    private void WriteEntry(string user, string entry)
    {
        string path = settings.UsersFile;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string[] lines = File.Exists(path) ? File.ReadAllLines(path) : ["# user   zones   password verifier (see UserDatabase); written by 'ReceiverHost adduser'"];
        var kept = lines.Where(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is not [var name, ..] || name != user);
        string temporary = path + ".new";
        var file = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, file))
        {
            writer.Write(string.Join('\n', kept.Append(entry)) + "\n");
        }

        File.Move(temporary, path, overwrite: true);
    }
}
