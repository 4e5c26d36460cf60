using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Control.Internal;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Tests.Control;
using Microsoft.Extensions.Time.Testing;

// Every await here is bounded by WaitAsync; the test token adds nothing.
#pragma warning disable xUnit1051

namespace KernelZones.Migration.Tests.Hostile;

/// <summary>
/// Password guessing against the control service: every answer comes at once; an address is refused during its penalty,
/// one guess at a time; a user name has a failure budget across addresses; no user-existence leak. The penalties run on
/// a fake clock the tests move.
/// </summary>
public sealed class AuthenticationAttackTests
{
    private const int AuthenticationFailed = 4; // the control service's event ids
    private const int AuthenticationThrottled = 50;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);
    private static readonly IPAddress s_attacker = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task A_failure_is_answered_at_once_and_its_address_is_refused_until_the_ever_longer_penalty_has_passed()
    {
        var log = new RecordingLoggerFactory();
        var clock = new FakeTimeProvider();
        // The defaults: penalties of 1 s doubling to 30 s, and a 15 s handshake deadline the long ones used to outlast.
        await using var destination = new TestDestination(configure: o => o with
        {
            AuthenticationFailureDelay = TimeSpan.FromSeconds(1), MaxAuthenticationFailureDelay = TimeSpan.FromSeconds(30),
            UserFailureInterval = TimeSpan.Zero, TimeProvider = clock, LoggerFactory = log,
        });
        int[] penalties = [1, 2, 4, 8, 16, 30, 30];
        foreach (int penalty in penalties)
        {
            Assert.Equal("authentication failed for user 'alice'", await RefusalAsync(destination, s_attacker, "alice", "a guess"));
            Assert.Equal($"too many failed logins from 127.0.0.2: try again in {penalty} s", await RefusalAsync(destination, s_attacker, "alice", TestDestination.Password));
            clock.Advance(TimeSpan.FromSeconds(penalty - 1) + TimeSpan.FromMilliseconds(1));
            Assert.Equal("too many failed logins from 127.0.0.2: try again in 1 s", await RefusalAsync(destination, s_attacker, "alice", "a guess"));
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(penalties.Select((p, i) => $"{i + 1}/{p * 1000}"), Failures(log));
        Assert.IsType<Authenticated>(await AttemptAsync(destination, s_attacker, "alice", TestDestination.Password).WaitAsync(s_wait));
        Assert.Equal("authentication failed for user 'alice'", await RefusalAsync(destination, s_attacker, "alice", "after success"));
        Assert.Equal("1/1000", Failures(log)[^1]);
    }

    [Fact]
    public async Task The_source_is_told_to_come_back_later_instead_of_running_into_the_handshake_deadline()
    {
        var clock = new FakeTimeProvider();
        await using var destination = new TestDestination(configure: o => o with
        {
            AuthenticationFailureDelay = TimeSpan.FromSeconds(1), MaxAuthenticationFailureDelay = TimeSpan.FromSeconds(30),
            HandshakeTimeout = TimeSpan.FromSeconds(15), UserFailureInterval = TimeSpan.Zero, TimeProvider = clock,
        });
        for (int penalty = 1; penalty <= 16; penalty *= 2)
        {
            MigrationException failed = await ConnectFailsAsync(destination, "wrong");
            Assert.Equal(MigrationFailureKind.Authentication, failed.Kind);
            Assert.EndsWith("authentication failed for user 'alice'", failed.Message, StringComparison.Ordinal);
            if (penalty < 16)
            {
                clock.Advance(TimeSpan.FromSeconds(penalty));
            }
        }

        // The fifth penalty (16 s) is longer than the handshake deadline (15 s): the source is still answered at once.
        MigrationException refused = await ConnectFailsAsync(destination, TestDestination.Password);
        Assert.Equal(MigrationFailureKind.Authentication, refused.Kind);
        Assert.EndsWith("too many failed logins from 127.0.0.1: try again in 16 s", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parallel_guesses_from_one_address_get_one_verification_and_the_rest_are_refused()
    {
        UserDatabase? users = null;
        await using var destination = new TestDestination(users: u => users = u, configure: o => o with
        {
            AuthenticationFailureDelay = TimeSpan.FromSeconds(1), MaxAuthenticationFailureDelay = TimeSpan.FromSeconds(30),
            UserFailureInterval = TimeSpan.Zero, TimeProvider = new FakeTimeProvider(),
        });
        PasswordVerifier alice = users!.Find("alice")!.Password!;
        long before = alice.Verifications;

        ControlMessage[] answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => AttemptAsync(destination, s_attacker, "alice", $"guess {i}"))).WaitAsync(s_wait);

        string[] messages = [.. answers.Select(a => Assert.IsType<ErrorMessage>(a).Message).Order(StringComparer.Ordinal)];
        Assert.Equal(["authentication failed for user 'alice'", .. Enumerable.Repeat("too many failed logins from 127.0.0.2: try again in 1 s", 7)], messages);
        Assert.Equal(before + 1, alice.Verifications);
    }

    [Fact]
    public async Task An_attacker_serving_a_penalty_does_not_hold_up_users_at_other_addresses()
    {
        await using var destination = new TestDestination(configure: o => o with
        {
            AuthenticationFailureDelay = TimeSpan.FromSeconds(30), MaxAuthenticationFailureDelay = TimeSpan.FromSeconds(30), TimeProvider = new FakeTimeProvider(),
        });
        Assert.Equal("authentication failed for user 'alice'", await RefusalAsync(destination, s_attacker, "alice", "a guess"));
        Assert.StartsWith("too many failed logins from 127.0.0.2", await RefusalAsync(destination, s_attacker, "alice", "a guess"), StringComparison.Ordinal);

        Assert.IsType<Authenticated>(await AttemptAsync(destination, IPAddress.Loopback, "alice", TestDestination.Password).WaitAsync(s_wait));
    }

    [Fact]
    public async Task Guesses_from_many_addresses_spend_the_users_budget_and_then_are_refused_unchecked_but_a_known_source_still_gets_in()
    {
        var log = new RecordingLoggerFactory();
        var clock = new FakeTimeProvider();
        UserDatabase? users = null;
        await using var destination = new TestDestination(users: u => users = u, configure: o => o with
        {
            AuthenticationFailureDelay = TimeSpan.FromSeconds(1), UserFailureBurst = 3, UserFailureInterval = TimeSpan.FromSeconds(10),
            TimeProvider = clock, LoggerFactory = log,
        });
        PasswordVerifier alice = users!.Find("alice")!.Password!;
        Assert.IsType<Authenticated>(await AttemptAsync(destination, IPAddress.Loopback, "alice", TestDestination.Password).WaitAsync(s_wait));

        for (int i = 1; i <= 3; i++)
        {
            Assert.Equal("authentication failed for user 'alice'", await RefusalAsync(destination, Sprayer(i), "alice", $"guess {i}"));
        }

        long verified = alice.Verifications;
        Assert.Equal("too many failed logins for user 'alice': try again in 10 s", await RefusalAsync(destination, Sprayer(4), "alice", "guess 4"));
        // A correct password from an address that never authenticated is not even checked: the budget is what it waits for.
        Assert.Equal("too many failed logins for user 'alice': try again in 10 s", await RefusalAsync(destination, Sprayer(5), "alice", TestDestination.Password));
        Assert.Equal(verified, alice.Verifications);
        Assert.Equal(2, log.Events.Count(e => e.Id == AuthenticationThrottled));

        // The source alice came from before is checked as usual, and the right password gets in.
        Assert.Equal("authentication failed for user 'alice'", await RefusalAsync(destination, IPAddress.Loopback, "alice", "typo"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.IsType<Authenticated>(await AttemptAsync(destination, IPAddress.Loopback, "alice", TestDestination.Password).WaitAsync(s_wait));

        // One failure per interval refills: then one more guess is checked.
        clock.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal("too many failed logins for user 'alice': try again in 1 s", await RefusalAsync(destination, Sprayer(6), "alice", "guess 6"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("authentication failed for user 'alice'", await RefusalAsync(destination, Sprayer(7), "alice", "guess 7"));
        Assert.Equal("too many failed logins for user 'alice': try again in 10 s", await RefusalAsync(destination, Sprayer(8), "alice", "guess 8"));
    }

    [Fact]
    public async Task An_unknown_user_spends_its_budget_exactly_as_a_known_one()
    {
        UserDatabase? users = null;
        await using var destination = new TestDestination(users: u => users = u, configure: o => o with
        {
            UserFailureBurst = 2, UserFailureInterval = TimeSpan.FromSeconds(10), TimeProvider = new FakeTimeProvider(),
        });
        long decoy = users!.Decoy.Verifications;
        long alice = users.Find("alice")!.Password!.Verifications;

        string[] known = [.. await Task.WhenAll(Enumerable.Range(1, 4).Select(i => RefusalAsync(destination, Sprayer(i), "alice", "guess")))];
        string[] unknown = [.. await Task.WhenAll(Enumerable.Range(11, 4).Select(i => RefusalAsync(destination, Sprayer(i), "nobody", "guess")))];

        Assert.Equal(known.Order(StringComparer.Ordinal), unknown.Select(m => m.Replace("'nobody'", "'alice'", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(2, known.Count(m => m.StartsWith("too many failed logins for user 'alice'", StringComparison.Ordinal)));
        Assert.Equal((alice + 2, decoy + 2), (users.Find("alice")!.Password!.Verifications, users.Decoy.Verifications));
    }

    [Fact]
    public void An_unknown_or_password_less_user_costs_one_decoy_verification_like_a_wrong_password()
    {
        PasswordVerifier alice = PasswordVerifier.CreateUnchecked("right", 2000);
        var users = new UserDatabase(
        [
            new UserAccount("alice", alice, ZoneAuthorization.All, AuthorizedKeys.Empty),
            new UserAccount("bob", null, ZoneAuthorization.All, AuthorizedKeys.Empty),
        ]);
        Assert.Equal(2000, users.Decoy.Iterations);

        Assert.Null(users.VerifyPassword("alice", "wrong"));
        Assert.Equal((1, 0), (alice.Verifications, users.Decoy.Verifications));
        Assert.Null(users.VerifyPassword("nobody", "right"));
        Assert.Equal((1, 1), (alice.Verifications, users.Decoy.Verifications));
        Assert.Null(users.VerifyPassword("bob", "anything"));
        Assert.Equal((1, 2), (alice.Verifications, users.Decoy.Verifications));
        Assert.Same(users.Find("alice"), users.VerifyPassword("alice", "right"));
        Assert.Equal((2, 2), (alice.Verifications, users.Decoy.Verifications));
    }

    [Fact]
    public async Task The_service_checks_an_unknown_user_against_the_decoy()
    {
        UserDatabase? users = null;
        await using var destination = new TestDestination(users: u => users = u);
        long before = users!.Decoy.Verifications;

        Assert.IsType<ErrorMessage>(await AttemptAsync(destination, IPAddress.Loopback, "nobody", TestDestination.Password).WaitAsync(s_wait));

        Assert.Equal(before + 1, users.Decoy.Verifications);
    }

    [Fact]
    public async Task Control_characters_in_a_user_name_reach_the_log_escaped()
    {
        var log = new RecordingLoggerFactory();
        await using var destination = new TestDestination(configure: o => o with { LoggerFactory = log });

        Assert.IsType<ErrorMessage>(await AttemptAsync(destination, IPAddress.Loopback, "a\u001b[31mb\n", "a guess").WaitAsync(s_wait));
        await destination.Service.WhenConnectionsEndedAsync().WaitAsync(s_wait);

        LoggedEvent failed = Assert.Single(log.Events, e => e.Id == AuthenticationFailed);
        Assert.Equal(@"a\x1b[31mb\x0a", failed.Fields["User"]);
        Assert.Contains(@"'a\x1b[31mb\x0a'", failed.Message, StringComparison.Ordinal);
        Assert.Contains(log.Events, e => e.Id == 3 && e.Message.Contains(@"for user 'a\x1b[31mb\x0a'", StringComparison.Ordinal));
        Assert.All(log.Events, e => Assert.DoesNotContain(e.Message, c => char.IsControl(c)));
    }

    /// <summary>One password attempt over real TLS from <paramref name="local"/>; returns the service's answer.</summary>
    internal static async Task<ControlMessage> AttemptAsync(TestDestination destination, IPAddress local, string user, string password)
    {
        using var tcp = new TcpClient(new IPEndPoint(local, 0));
        await tcp.ConnectAsync(IPAddress.Loopback, destination.Service.Port);
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        string pinned = destination.Identity.Fingerprint;
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && ServerIdentity.ComputeFingerprint(certificate) == pinned,
        });
        await using var channel = new MessageChannel(ssl, 1 << 20);
        await channel.SendAsync(Hello.From(new HostOffer { HostName = "guesser" }), s_wait, CancellationToken.None);
        Assert.IsType<Hello>(await channel.ReceiveAsync(s_wait, CancellationToken.None));
        Assert.IsType<AuthChallenge>(await channel.ReceiveAsync(s_wait, CancellationToken.None));
        await channel.SendAsync(new PasswordAuthentication(user, password), s_wait, CancellationToken.None);
        return await channel.ReceiveAsync(s_wait, CancellationToken.None);
    }

    /// <summary>One attempt that must be refused for authentication; returns the refusal's text.</summary>
    private static async Task<string> RefusalAsync(TestDestination destination, IPAddress local, string user, string password)
    {
        var refusal = Assert.IsType<ErrorMessage>(await AttemptAsync(destination, local, user, password).WaitAsync(s_wait));
        Assert.Equal(MigrationFailureKind.Authentication, refusal.Failure);
        return refusal.Message;
    }

    private static async Task<MigrationException> ConnectFailsAsync(TestDestination destination, string password) =>
        await Assert.ThrowsAsync<MigrationException>(() => ControlClient.ConnectAsync(
            destination.Address("rads", "alice"), ControlCredential.FromPassword("alice", password), destination.ClientOptions).WaitAsync(s_wait));

    /// <summary>One of many loopback addresses a sprayer guesses from.</summary>
    private static IPAddress Sprayer(int i) => new([127, 0, 1, (byte)i]);

    /// <summary>The "authentication failed" events (id 4) as "failures/penalty-ms".</summary>
    private static string[] Failures(RecordingLoggerFactory log) =>
        [.. log.Events.Where(e => e.Id == AuthenticationFailed).Select(e => $"{e.Fields["Failures"]}/{e.Fields["DelayMs"]}")];
}
