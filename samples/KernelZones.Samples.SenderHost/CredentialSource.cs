using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;

namespace KernelZones.Samples.SenderHost;

/// <summary>
/// The credential for a remote: for <c>ssh://</c> the private key (<c>-i</c>, else <c>~/.ssh/id_ecdsa</c>); otherwise the
/// password from <c>--password-file</c>, else <c>KZ_PASSWORD</c>, else a <c>Password:</c> prompt without echo
/// (or one line of standard input when it is redirected). The user is the remote's, else the current user.
/// </summary>
internal static class CredentialSource
{
    public static ControlCredential For(RemoteAddress remote, MigrateArguments arguments)
    {
        string user = remote.User ?? Environment.UserName;
        if (remote.Scheme == RemoteScheme.Ssh)
        {
            string keyFile = arguments.KeyFile
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "id_ecdsa");
            return ControlCredential.FromKey(user, ClientKey.Load(keyFile));
        }

        return ControlCredential.FromPassword(user, Password(arguments));
    }

    private static string Password(MigrateArguments arguments)
    {
        if (arguments.PasswordFile is { } file)
        {
            return File.ReadLines(file).FirstOrDefault() is { Length: > 0 } line ? line : throw new UsageException($"{file}: the first line holds no password");
        }

        return Environment.GetEnvironmentVariable("KZ_PASSWORD") is { Length: > 0 } password ? password : PasswordPrompt.Read("Password: ");
    }
}
