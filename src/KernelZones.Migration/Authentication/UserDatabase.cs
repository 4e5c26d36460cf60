using System.Collections.Frozen;
using KernelZones.Migration.Authentication.Internal;
using KernelZones.Migration.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KernelZones.Migration.Authentication;

/// <summary>
/// The destination's users file. One user per line, three fields separated by white space:
/// <code>
/// # user   zones        password verifier
/// alice    *            pbkdf2-sha256$600000$&lt;salt base64&gt;$&lt;hash base64&gt;
/// bob      web1,db1     -
/// carol    -            pbkdf2-sha256$600000$...
/// </code>
/// Zones: <c>*</c> for all zones, comma-separated zone names, or <c>-</c> for none (revoked).
/// Verifier: see <see cref="PasswordVerifier"/>; <c>-</c> means no password (key-based only).
/// Blank lines and lines starting with <c>#</c> are ignored. Create a line with <see cref="FormatEntry"/>.
/// </summary>
/// <remarks>Immutable and thread-safe; reload the file to pick up changes.</remarks>
public sealed class UserDatabase
{
    private readonly FrozenDictionary<string, UserAccount> _users;
    private readonly PasswordVerifier _decoy;

    /// <summary>Creates a database from accounts.</summary>
    /// <exception cref="ArgumentException">Two accounts have the same name.</exception>
    public UserDatabase(IEnumerable<UserAccount> accounts)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        var users = new Dictionary<string, UserAccount>(StringComparer.Ordinal);
        foreach (UserAccount account in accounts)
        {
            if (!users.TryAdd(account.Name, account))
            {
                throw new ArgumentException($"user '{account.Name}' appears twice", nameof(accounts));
            }
        }

        _users = users.ToFrozenDictionary(StringComparer.Ordinal);
        int iterations = _users.Values.Select(a => a.Password?.Iterations ?? 0).DefaultIfEmpty(0).Max();
        _decoy = PasswordVerifier.CreateDecoy(iterations > 0 ? iterations : PasswordVerifier.MinimumIterations);
    }

    /// <summary>The accounts, in no particular order.</summary>
    public IEnumerable<UserAccount> Accounts => _users.Values;

    /// <summary>Parses users-file text.</summary>
    /// <param name="text">The file content.</param>
    /// <param name="source">The file name, for errors.</param>
    /// <exception cref="MigrationException">A line is invalid; the message names the line (<see cref="MigrationFailureKind.Credentials"/>).</exception>
    public static UserDatabase Parse(string text, string source = "users file") => Parse(text, source, PasswordVerifier.MinimumIterations);

    /// <summary>Reads and parses a users file, after checking its permissions as OpenSSH checks its files.</summary>
    /// <param name="path">The users file.</param>
    /// <param name="loggerFactory">For the warning about a file others can read; <see langword="null"/> for none.</param>
    /// <remarks>
    /// On Unix the file is refused when group or others can write to it, or when it sits in a directory they can write to
    /// without the sticky bit (they could change who may log in); a file others can read is loaded with a warning (its
    /// verifiers could be attacked offline). <c>chmod 600</c> is right. Nothing is checked on Windows.
    /// </remarks>
    /// <exception cref="MigrationException">
    /// The file cannot be read, is writable by group or others, or a line is invalid (<see cref="MigrationFailureKind.Credentials"/>).
    /// </exception>
    public static UserDatabase Load(string path, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            if (CredentialFile.RequireNotWritableByOthers(path) is { } readableMode)
            {
                ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("KernelZones.Migration.Authentication");
                MigrationLog.UsersFileReadableByOthers(logger, path, readableMode);
            }

            return Parse(File.ReadAllText(path), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MigrationException(MigrationFailureKind.Credentials, $"cannot read users file {path}: {e.Message}", e);
        }
    }

    /// <summary>Formats one users-file line.</summary>
    /// <param name="user">The user name (letters, digits, '.', '_', '-').</param>
    /// <param name="authorization">The zones the user may migrate in.</param>
    /// <param name="password">The verifier (create it with <see cref="PasswordVerifier.Create"/>), or <see langword="null"/> for key-based only.</param>
    public static string FormatEntry(string user, ZoneAuthorization authorization, PasswordVerifier? password)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        return $"{user} {authorization} {password?.ToString() ?? "-"}";
    }

    /// <summary>The account named <paramref name="user"/>, or <see langword="null"/>.</summary>
    public UserAccount? Find(string user) => _users.GetValueOrDefault(user);

    /// <summary>
    /// Checks a password with exactly one PBKDF2 verification whatever the user: an unknown user, or one without a
    /// password, is checked against a decoy of the same cost, so the answer's timing does not tell whether the user exists.
    /// </summary>
    /// <returns>The account when the user exists, has a password and it matches; otherwise <see langword="null"/>.</returns>
    internal UserAccount? VerifyPassword(string user, string password)
    {
        UserAccount? account = Find(user);
        PasswordVerifier verifier = account?.Password ?? _decoy;
        bool match = verifier.Verify(password);
        return match && account?.Password is not null ? account : null;
    }

    /// <summary>The verifier unknown and password-less users are checked against (tests count its verifications).</summary>
    internal PasswordVerifier Decoy => _decoy;

    /// <summary>A copy of this database in which <paramref name="user"/> has <paramref name="keys"/> as authorized keys.</summary>
    /// <exception cref="ArgumentException">No such user.</exception>
    public UserDatabase WithAuthorizedKeys(string user, AuthorizedKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        UserAccount account = Find(user) ?? throw new ArgumentException($"no user '{user}'", nameof(user));
        return new UserDatabase(_users.Values.Select(a => a.Name == user ? account with { AuthorizedKeys = keys } : a));
    }

    internal static UserDatabase Parse(string text, string source, int minimumIterations)
    {
        ArgumentNullException.ThrowIfNull(text);
        var accounts = new List<UserAccount>();
        var names = new HashSet<string>(StringComparer.Ordinal);
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
                UserAccount account = ParseLine(line, minimumIterations);
                accounts.Add(names.Add(account.Name) ? account : throw Invalid($"user '{account.Name}' appears twice"));
            }
            catch (MigrationException e)
            {
                throw new MigrationException(MigrationFailureKind.Credentials, $"{source}, line {i + 1}: {e.Message}", e);
            }
        }

        return new UserDatabase(accounts);
    }

    private static UserAccount ParseLine(string line, int minimumIterations)
    {
        string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 3)
        {
            throw Invalid("expected '<user> <zones: *, -, or a,b,c> <verifier or ->'");
        }

        if (!fields[0].All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw Invalid($"user name '{fields[0]}' may contain only letters, digits, '.', '_' and '-'");
        }

        ZoneAuthorization authorization = fields[1] switch
        {
            "*" => ZoneAuthorization.All,
            "-" => ZoneAuthorization.None,
            _ => ZoneAuthorization.For(fields[1].Split(',', StringSplitOptions.RemoveEmptyEntries)),
        };
        PasswordVerifier? password = fields[2] == "-" ? null : PasswordVerifier.Parse(fields[2], minimumIterations);
        return new UserAccount(fields[0], password, authorization, AuthorizedKeys.Empty);
    }

    private static MigrationException Invalid(string problem) => new(MigrationFailureKind.Credentials, problem);
}
