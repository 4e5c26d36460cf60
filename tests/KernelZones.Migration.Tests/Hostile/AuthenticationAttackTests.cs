using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Control.Internal;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Tests.Control;

// Every await here is bounded by WaitAsync; the test token adds nothing.
#pragma warning disable xUnit1051

namespace KernelZones.Migration.Tests.Hostile;

/// <summary>Password guessing against the control service: slowed per address, one guess at a time, no lockout, no user-existence leak.</summary>
public sealed class AuthenticationAttackTests
{
    private const int AuthenticationFailed = 4; // the control service's event id
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);
    private static readonly IPAddress s_attacker = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task Repeated_wrong_passwords_wait_ever_longer_and_the_correct_password_still_gets_in()
    {
        var log = new RecordingLoggerFactory();
        await using var destination = new TestDestination(configure: o => o with
        {
            AuthenticationFailureDelay = TimeSpan.FromMilliseconds(40), MaxAuthenticationFailureDelay = TimeSpan.FromMilliseconds(160), LoggerFactory = log,
        });
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 5; i++)
        {
            var refusal = Assert.IsType<ErrorMessage>(await AttemptAsync(destination, s_attacker, "alice", $"guess {i}").WaitAsync(s_wait));
            Assert.Equal(MigrationFailureKind.Authentication, refusal.Failure);
        }

        // Each refusal was answered only after its delay: 40, 80, 160, 160, 160 ms (a lower bound, safe on a slow box).
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(600), $"5 refusals took only {clock.ElapsedMilliseconds} ms");
        Assert.Equal(["1/40", "2/80", "3/160", "4/160", "5/160"], Failures(log));

        Assert.IsType<Authenticated>(await AttemptAsync(destination, s_attacker, "alice", TestDestination.Password).WaitAsync(s_wait));
        Assert.IsType<ErrorMessage>(await AttemptAsync(destination, s_attacker, "alice", "after success").WaitAsync(s_wait));
        Assert.Equal("1/40", Failures(log)[^1]);
    }

    [Fact]
    public async Task Parallel_guesses_from_one_address_are_verified_one_at_a_time()
    {
        var log = new RecordingLoggerFactory();
        await using var destination = new TestDestination(configure: o => o with
        {
            AuthenticationFailureDelay = TimeSpan.FromMilliseconds(100), MaxAuthenticationFailureDelay = TimeSpan.FromMilliseconds(100), LoggerFactory = log,
        });
        var clock = Stopwatch.StartNew();

        ControlMessage[] answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => AttemptAsync(destination, s_attacker, "alice", $"guess {i}"))).WaitAsync(s_wait);

        Assert.All(answers, a => Assert.IsType<ErrorMessage>(a));
        // Eight guesses sit out eight delays one after another, not together.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(800), $"8 parallel guesses took only {clock.ElapsedMilliseconds} ms");
        Assert.Equal(Enumerable.Range(1, 8).Select(n => $"{n}/100"), Failures(log));
    }

    [Fact]
    public async Task An_attacker_sitting_out_long_delays_does_not_hold_up_users_at_other_addresses()
    {
        var log = new RecordingLoggerFactory();
        await using var destination = new TestDestination(configure: o => o with
        {
            AuthenticationFailureDelay = TimeSpan.FromSeconds(2), MaxAuthenticationFailureDelay = TimeSpan.FromSeconds(2), LoggerFactory = log,
        });
        Task<ControlMessage>[] attack = [.. Enumerable.Range(0, 2).Select(i => AttemptAsync(destination, s_attacker, "alice", $"guess {i}"))];
        await log.FirstEvent(AuthenticationFailed).WaitAsync(s_wait);

        var answer = await AttemptAsync(destination, IPAddress.Loopback, "alice", TestDestination.Password).WaitAsync(s_wait);

        Assert.IsType<Authenticated>(answer);
        Assert.Contains(attack, t => !t.IsCompleted);
        await Task.WhenAll(attack).WaitAsync(s_wait);
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
        await channel.SendAsync(new HostOffer { HostName = "guesser" }.ToHello(), s_wait, CancellationToken.None);
        Assert.IsType<Hello>(await channel.ReceiveAsync(s_wait, CancellationToken.None));
        Assert.IsType<AuthChallenge>(await channel.ReceiveAsync(s_wait, CancellationToken.None));
        await channel.SendAsync(new PasswordAuthentication(user, password), s_wait, CancellationToken.None);
        return await channel.ReceiveAsync(s_wait, CancellationToken.None);
    }

    /// <summary>The "authentication failed" events (id 4) as "failures/delay-ms".</summary>
    private static string[] Failures(RecordingLoggerFactory log) =>
        [.. log.Events.Where(e => e.Id == AuthenticationFailed).Select(e => $"{e.Fields["Failures"]}/{e.Fields["DelayMs"]}")];
}
