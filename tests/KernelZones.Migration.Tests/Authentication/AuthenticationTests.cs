using System.Net;
using FsCheck;
using FsCheck.Fluent;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Authentication.Internal;
using Microsoft.Extensions.Time.Testing;

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
    public void Throttle_penalty_doubles_per_failure_up_to_the_bound_and_clears_on_success()
    {
        var throttle = new AuthenticationThrottle(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), 1, TimeSpan.Zero, new FakeTimeProvider());
        IPAddress address = IPAddress.Loopback;
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.RecordFailure(address, "u", default).Penalty);
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.RecordFailure(address, "u", default).Penalty);
        Assert.Equal(TimeSpan.FromSeconds(4), throttle.RecordFailure(address, "u", default).Penalty);
        Assert.Equal(TimeSpan.FromSeconds(5), throttle.RecordFailure(address, "u", default).Penalty);
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.RecordFailure(IPAddress.IPv6Loopback, "u", default).Penalty);
        throttle.RecordSuccess(address, "u", default);
        Assert.Equal(1, throttle.RecordFailure(address, "u", default).Failures);
    }

    [Fact]
    public void Throttle_refuses_an_address_during_its_penalty_only()
    {
        var clock = new FakeTimeProvider();
        var throttle = new AuthenticationThrottle(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(30), 1, TimeSpan.Zero, clock);
        IPAddress address = IPAddress.Loopback;
        Assert.Null(throttle.Admit(address, "u").Refusal);
        throttle.RecordFailure(address, "u", default);

        Admission refused = throttle.Admit(address, "u");
        Assert.Equal(("too many failed logins from 127.0.0.1: try again in 4 s", TimeSpan.FromSeconds(4)), (refused.Refusal, refused.RetryAfter));
        Assert.Null(throttle.Admit(IPAddress.IPv6Loopback, "u").Refusal);
        clock.Advance(TimeSpan.FromSeconds(3.5));
        Assert.Equal("too many failed logins from 127.0.0.1: try again in 1 s", throttle.Admit(address, "u").Refusal);
        clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Null(throttle.Admit(address, "u").Refusal);
    }

    [Fact]
    public void Throttle_forgets_an_address_after_a_quiet_period_but_not_before()
    {
        var clock = new FakeTimeProvider();
        var throttle = new AuthenticationThrottle(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), 1, TimeSpan.Zero, clock);
        IPAddress address = IPAddress.Loopback;
        throttle.RecordFailure(address, "u", default);
        throttle.RecordFailure(address, "u", default);

        clock.Advance(AuthenticationThrottle.ForgetAfter - TimeSpan.FromSeconds(1));
        Assert.Equal(3, throttle.RecordFailure(address, "u", default).Failures);
        clock.Advance(AuthenticationThrottle.ForgetAfter);
        Assert.Equal((1, TimeSpan.FromSeconds(1)), throttle.RecordFailure(address, "u", default));
    }

    [Fact]
    public void User_budget_gives_a_burst_then_one_failure_per_interval_and_a_success_gives_its_token_back()
    {
        var clock = new FakeTimeProvider();
        var budget = new UserFailureBudget(2, TimeSpan.FromSeconds(10), clock);
        IPAddress address = IPAddress.Loopback;
        IPAddress home = IPAddress.Parse("10.0.0.1");
        Assert.Null(budget.Admit("alice", home, out bool took));
        Assert.True(took);
        budget.RecordSuccess("alice", home, took);
        Assert.Equal(0, budget.TrackedUsers);

        Assert.Null(budget.Admit("alice", address, out _));
        Assert.Null(budget.Admit("alice", address, out _));
        Assert.Equal(TimeSpan.FromSeconds(10), budget.Admit("alice", address, out took));
        Assert.False(took);
        Assert.Null(budget.Admit("alice", home, out took)); // where alice authenticated before: no token needed
        Assert.False(took);
        Assert.Null(budget.Admit("bob", address, out _));

        clock.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(TimeSpan.FromSeconds(3), budget.Admit("alice", address, out _));
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Null(budget.Admit("alice", address, out _));
        Assert.Equal(TimeSpan.FromSeconds(10), budget.Admit("alice", address, out _));
    }

    [Fact]
    public void User_budget_table_stays_bounded_and_a_flood_of_names_does_not_refill_a_spent_budget()
    {
        var budget = new UserFailureBudget(1, TimeSpan.FromSeconds(60), new FakeTimeProvider());
        IPAddress address = IPAddress.Loopback;
        Assert.Null(budget.Admit("alice", address, out _));
        for (int i = 0; i < UserFailureBudget.MaxTrackedUsers * 2; i++)
        {
            budget.Admit($"user{i}", address, out _);
        }

        Assert.Equal(UserFailureBudget.MaxTrackedUsers, budget.TrackedUsers);
        Assert.NotNull(budget.Admit("alice", address, out _));
        Assert.NotNull(budget.Admit("a-name-never-seen", address, out _)); // the shared overflow bucket is spent too
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
