using System.Runtime.Versioning;
using KernelZones.Migration.Control;
using Microsoft.Extensions.Time.Testing;

namespace KernelZones.Migration.Tests.Control;

/// <summary>The generated identity: its lifetime, the warning before it expires, its replacement once expired, and its key file's protection.</summary>
public sealed class ServerIdentityTests : IDisposable
{
    private const int ExpiresSoon = 51; // the control service's event ids
    private const int Renewed = 52;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _directory = Directory.CreateTempSubdirectory("kz-identity-").FullName;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly RecordingLoggerFactory _log = new();

    private string Identity => Path.Combine(_directory, "identity");

    private string KeyPath => Path.Combine(Identity, ServerIdentity.KeyFileName);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_generated_identity_is_valid_for_a_year()
    {
        using ServerIdentity identity = Load();
        Assert.Equal(365, (identity.Certificate.NotAfter - _clock.GetUtcNow().UtcDateTime.ToLocalTime()).TotalDays, 0.01);
    }

    [Fact]
    public void Loading_an_identity_that_expires_within_30_days_warns_and_keeps_it()
    {
        string fingerprint = Fingerprint(Load());
        _clock.Advance(TimeSpan.FromDays(334));
        Assert.Equal(fingerprint, Fingerprint(Load()));
        Assert.DoesNotContain(_log.Events, e => e.Id is ExpiresSoon or Renewed);

        _clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(fingerprint, Fingerprint(Load()));
        LoggedEvent warning = Assert.Single(_log.Events, e => e.Id == ExpiresSoon);
        Assert.Equal(28, warning.Fields["Days"]);
    }

    [Fact]
    public void An_expired_self_signed_identity_is_replaced_and_the_log_gives_both_fingerprints()
    {
        string old = Fingerprint(Load());
        _clock.Advance(TimeSpan.FromDays(366));

        using ServerIdentity renewed = Load();

        Assert.NotEqual(old, renewed.Fingerprint);
        Assert.True(renewed.Certificate.NotAfter.ToUniversalTime() > _clock.GetUtcNow().UtcDateTime.AddDays(364));
        LoggedEvent warning = Assert.Single(_log.Events, e => e.Id == Renewed);
        Assert.Equal((renewed.Fingerprint, old), (warning.Fields["Fingerprint"], warning.Fields["OldFingerprint"]));
        Assert.Equal(renewed.Fingerprint, Fingerprint(Load()));
    }

    [UnsupportedOSPlatform("windows")]
    [Theory]
    [InlineData(0b110_100_100, "0644")]
    [InlineData(0b110_110_000, "0660")]
    [InlineData(0b110_110_110, "0666")]
    public void A_key_file_group_or_others_can_access_is_refused_with_the_fix(int mode, string octal)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix permissions");
        Load().Dispose();
        File.SetUnixFileMode(KeyPath, (UnixFileMode)mode);

        MigrationException refused = Assert.Throws<MigrationException>(() => Load());

        Assert.Equal(MigrationFailureKind.Credentials, refused.Kind);
        Assert.Contains($"UNPROTECTED PRIVATE KEY FILE: {KeyPath} has mode {octal}", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {KeyPath}", refused.Message, StringComparison.Ordinal);
    }

    [UnsupportedOSPlatform("windows")]
    [Fact]
    public void A_key_file_in_a_directory_others_can_write_to_is_refused_unless_it_is_sticky()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix permissions");
        Load().Dispose();
        File.SetUnixFileMode(Identity, (UnixFileMode)0b111_111_111);

        MigrationException refused = Assert.Throws<MigrationException>(() => Load());
        Assert.Contains($"{Identity} has mode 0777; group or others could replace {KeyPath}", refused.Message, StringComparison.Ordinal);

        File.SetUnixFileMode(Identity, (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit);
        Load().Dispose();
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(KeyPath));
    }

    private ServerIdentity Load() => ServerIdentity.LoadOrCreate(Identity, "kz-dest", _log, _clock);

    private static string Fingerprint(ServerIdentity identity)
    {
        using (identity)
        {
            return identity.Fingerprint;
        }
    }
}
