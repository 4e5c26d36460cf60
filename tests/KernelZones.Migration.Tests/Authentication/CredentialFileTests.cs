using System.Runtime.Versioning;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Tests.Control;

// Every await here is bounded by WaitAsync(30 s); the test token adds nothing.
#pragma warning disable xUnit1051

namespace KernelZones.Migration.Tests.Authentication;

/// <summary>The users and authorized keys files are checked where they are read, as OpenSSH checks its files.</summary>
public sealed class CredentialFileTests : IDisposable
{
    private const int UsersFileReadableByOthers = 54; // the library's event ids
    private const int NoUsers = 53;
    private readonly string _directory = Directory.CreateTempSubdirectory("kz-users-").FullName;
    private readonly RecordingLoggerFactory _log = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(0b110_110_000, "0660")]
    [InlineData(0b110_100_010, "0642")]
    [InlineData(0b110_110_110, "0666")]
    public void A_users_file_group_or_others_can_write_to_is_refused(int mode, string octal)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix permissions");
        string path = UsersFile((UnixFileMode)mode);

        MigrationException refused = Assert.Throws<MigrationException>(() => UserDatabase.Load(path, _log));

        Assert.Equal(MigrationFailureKind.Credentials, refused.Kind);
        Assert.Contains($"{path} has mode {octal}", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod go-w {path}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_users_file_others_can_read_is_loaded_with_a_warning()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix permissions");
        string path = UsersFile((UnixFileMode)0b110_100_100);

        Assert.NotNull(UserDatabase.Load(path, _log).Find("alice"));

        LoggedEvent warning = Assert.Single(_log.Events, e => e.Id == UsersFileReadableByOthers);
        Assert.Equal((path, "0644"), (warning.Fields["Path"], warning.Fields["Mode"]));
    }

    [Fact]
    public void An_owner_only_users_file_is_loaded_silently()
    {
        string path = UsersFile(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.NotNull(UserDatabase.Load(path, _log).Find("alice"));

        Assert.Empty(_log.Events);
    }

    [UnsupportedOSPlatform("windows")]
    [Fact]
    public void A_users_file_in_a_directory_others_can_write_to_is_refused()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix permissions");
        string path = UsersFile(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_111_111);

        MigrationException refused = Assert.Throws<MigrationException>(() => UserDatabase.Load(path, _log));

        Assert.Contains($"{_directory} has mode 0777", refused.Message, StringComparison.Ordinal);
    }

    [UnsupportedOSPlatform("windows")]
    [Fact]
    public void An_authorized_keys_file_others_can_write_to_is_refused()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix permissions");
        using ClientKey key = ClientKey.Generate();
        string path = Path.Combine(_directory, "authorized_keys");
        File.WriteAllText(path, key.PublicKey + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_110);

        MigrationException refused = Assert.Throws<MigrationException>(() => AuthorizedKeys.Load(path));

        Assert.Contains($"{path} has mode 0646", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_without_users_warns_at_start()
    {
        await using (var empty = new TestDestination(users: _ => new UserDatabase([]), configure: o => o with { LoggerFactory = _log }))
        {
            await _log.FirstEvent(NoUsers).WaitAsync(TimeSpan.FromSeconds(30));
        }

        var withUsers = new RecordingLoggerFactory();
        await using (var destination = new TestDestination(configure: o => o with { LoggerFactory = withUsers }))
        {
            Assert.DoesNotContain(withUsers.Events, e => e.Id == NoUsers);
        }
    }

    private string UsersFile(UnixFileMode mode)
    {
        string path = Path.Combine(_directory, "users");
        File.WriteAllText(path, UserDatabase.FormatEntry("alice", ZoneAuthorization.All, password: null) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }
}
