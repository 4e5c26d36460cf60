using KernelZones.Migration.Authentication;
using Microsoft.Extensions.Logging;

namespace KernelZones.Samples.ReceiverHost;

/// <summary>The users file with each user's authorized keys file (the <c>%u</c> pattern) folded in.</summary>
internal static class ReceiverUsers
{
    /// <summary>Loads the users file and the authorized keys files; the library refuses any of them that others can write to.</summary>
    public static UserDatabase Load(ReceiverSettings settings, ILoggerFactory loggers)
    {
        if (!File.Exists(settings.UsersFile))
        {
            throw new UsageException($"no users file at {settings.UsersFile}; create one with 'ReceiverHost adduser <name>' (or set --users / KZ_USERS_FILE)");
        }

        UserDatabase users = UserDatabase.Load(settings.UsersFile, loggers);
        foreach (UserAccount account in users.Accounts.ToArray())
        {
            string keys = settings.AuthorizedKeysFile(account.Name);
            if (File.Exists(keys))
            {
                users = users.WithAuthorizedKeys(account.Name, AuthorizedKeys.Load(keys));
            }
        }

        return users;
    }
}
