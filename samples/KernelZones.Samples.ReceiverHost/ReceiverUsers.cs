using KernelZones.Migration.Authentication;

namespace KernelZones.Samples.ReceiverHost;

/// <summary>The users file with each user's authorized keys file (the <c>%u</c> pattern) folded in.</summary>
internal static class ReceiverUsers
{
    public static UserDatabase Load(ReceiverSettings settings)
    {
        if (!File.Exists(settings.UsersFile))
        {
            throw new UsageException($"no users file at {settings.UsersFile}; create one with 'ReceiverHost adduser <name>' (or set --users / KZ_USERS_FILE)");
        }

        UserDatabase users = UserDatabase.Load(settings.UsersFile);
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
