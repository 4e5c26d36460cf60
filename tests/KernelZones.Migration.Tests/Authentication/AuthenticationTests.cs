using System.Net;
using FsCheck;
using FsCheck.Fluent;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Authentication.Internal;

namespace KernelZones.Migration.Tests.Authentication;

public sealed class AuthenticationTests
{
    [Fact]
    public void Password_verifier_round_trips_and_checks_the_password()
    {
        PasswordVerifier verifier = PasswordVerifier.CreateUnchecked("s3cret", 1000);
        PasswordVerifier parsed = PasswordVerifier.Parse(verifier.ToString(), 1000);
        Assert.True(parsed.Verify("s3cret"));
        Assert.False(parsed.Verify("s3creT"));
        Assert.StartsWith("pbkdf2-sha256$1000$", verifier.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Production_paths_enforce_600000_iterations()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PasswordVerifier.Create("x", 1000));
        string weak = PasswordVerifier.CreateUnchecked("x", 1000).ToString();
        Assert.Equal(MigrationFailureKind.Credentials, Assert.Throws<MigrationException>(() => PasswordVerifier.Parse(weak)).Kind);
    }

    [Fact]
    public void Users_file_errors_name_the_line()
    {
        MigrationException e = Assert.Throws<MigrationException>(() => UserDatabase.Parse("# users\nalice * -\nbob web1\n", "users.conf"));
        Assert.Contains("users.conf, line 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Users_file_entry_round_trips()
    {
        string line = UserDatabase.FormatEntry("bob", ZoneAuthorization.For(["db1", "web1"]), null);
        UserAccount bob = UserDatabase.Parse(line).Find("bob")!;
        Assert.Equal("db1,web1", bob.Authorization.ToString());
        Assert.Null(bob.Password);
    }

    [Fact]
    public void Authorized_key_line_round_trips_and_verifies_signatures()
    {
        using ClientKey key = ClientKey.Generate("alice@src");
        AuthorizedKeys keys = AuthorizedKeys.Parse("# keys\n" + key.PublicKey + "\n");
        SshPublicKey parsed = Assert.Single(keys.Keys);
        Assert.Equal("alice@src", parsed.Comment);
        Assert.NotNull(keys.Find(key.PublicKey.ToBlob()));
        byte[] data = [1, 2, 3];
        Assert.True(parsed.Verify(data, key.Sign(data)));
        Assert.False(parsed.Verify([1, 2, 4], key.Sign(data)));
    }

    [Fact]
    public void Client_key_reads_pkcs8_pem()
    {
        using ClientKey key = ClientKey.Generate();
        using ClientKey loaded = ClientKey.FromPem(key.ExportPkcs8Pem());
        Assert.Equal(key.PublicKey.Fingerprint, loaded.PublicKey.Fingerprint);
        Assert.Equal(MigrationFailureKind.Credentials, Assert.Throws<MigrationException>(() => ClientKey.FromPem("-----BEGIN OPENSSH PRIVATE KEY-----")).Kind);
    }

    [Fact]
    public void Any_key_line_parses_or_gets_our_error() =>
        Prop.ForAll<byte[]>(blob =>
        {
            try
            {
                SshPublicKey.Parse("ecdsa-sha2-nistp256 " + Convert.ToBase64String(blob ?? []));
                return true;
            }
            catch (MigrationException e)
            {
                return e.Kind == MigrationFailureKind.Credentials;
            }
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Challenge_is_bound_to_nonce_certificate_and_user()
    {
        byte[] nonce = new byte[32];
        byte[] baseline = KeyChallenge.Build(nonce, [1], "alice");
        Assert.NotEqual(baseline, KeyChallenge.Build(new byte[] { 1 }.Concat(new byte[31]).ToArray(), [1], "alice"));
        Assert.NotEqual(baseline, KeyChallenge.Build(nonce, [2], "alice"));
        Assert.NotEqual(baseline, KeyChallenge.Build(nonce, [1], "bob"));
    }

    [Fact]
    public void Throttle_doubles_per_failure_up_to_the_bound_and_clears_on_success()
    {
        var throttle = new AuthenticationThrottle(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        IPAddress address = IPAddress.Loopback;
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.RecordFailure(address).Delay);
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.RecordFailure(address).Delay);
        Assert.Equal(TimeSpan.FromSeconds(4), throttle.RecordFailure(address).Delay);
        Assert.Equal(TimeSpan.FromSeconds(5), throttle.RecordFailure(address).Delay);
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.RecordFailure(IPAddress.IPv6Loopback).Delay);
        throttle.RecordSuccess(address);
        Assert.Equal(1, throttle.RecordFailure(address).Failures);
    }

    [Fact]
    public void Throttle_forgets_an_address_after_a_quiet_period_but_not_before()
    {
        var clock = new ManualClock();
        var throttle = new AuthenticationThrottle(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), clock);
        IPAddress address = IPAddress.Loopback;
        throttle.RecordFailure(address);
        throttle.RecordFailure(address);

        clock.Advance(AuthenticationThrottle.ForgetAfter - TimeSpan.FromSeconds(1));
        Assert.Equal(3, throttle.RecordFailure(address).Failures);
        clock.Advance(AuthenticationThrottle.ForgetAfter);
        Assert.Equal((1, TimeSpan.FromSeconds(1)), throttle.RecordFailure(address));
    }

    [Fact]
    public void Generated_identity_key_file_is_owner_only_and_reloads()
    {
        string directory = Directory.CreateTempSubdirectory("kz-id-").FullName;
        try
        {
            using var first = KernelZones.Migration.Control.ServerIdentity.LoadOrCreate(directory, "dest");
            using var second = KernelZones.Migration.Control.ServerIdentity.LoadOrCreate(directory, "dest");
            Assert.Equal(first.Fingerprint, second.Fingerprint);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "control-key.pem")));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
