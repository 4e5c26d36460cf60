using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using Microsoft.Extensions.Logging;

// Every await here is bounded by WaitAsync(30 s); the test token adds nothing.
#pragma warning disable xUnit1051

namespace KernelZones.Migration.Tests.Control;

public sealed class ControlServiceTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Password_authentication_hands_an_authenticated_connection_to_the_handler()
    {
        await using var destination = new TestDestination();
        await using ControlConnection client = await ControlClient.ConnectAsync(
            destination.Address("rads", "alice"), ControlCredential.FromPassword("alice", TestDestination.Password), destination.ClientOptions).WaitAsync(s_wait);

        ControlConnection server = await destination.Handed.Task.WaitAsync(s_wait);
        Assert.Equal("alice", server.User);
        Assert.True(server.Authorization.AllZones);
        Assert.Equal(client.LocalHello.HostName, server.PeerHello.HostName);
        // The destination's full offer, once authenticated.
        Assert.Equal(server.LocalHello.HostName, client.PeerHello.HostName);
        Assert.NotEmpty(client.PeerHello.HostName);
        Assert.Equal(server.LocalHello.Ciphers, client.PeerHello.Ciphers);
        Assert.Equal(server.LocalHello.CpuCount, client.PeerHello.CpuCount);
        await client.SendAsync(new Attach("web1")).AsTask().WaitAsync(s_wait);
        Acknowledged ack = await client.ReceiveAsync<Acknowledged>().AsTask().WaitAsync(s_wait);
        Assert.Equal(MessageKind.Attach, ack.Step);
    }

    [Fact]
    public async Task Key_authentication_succeeds_with_an_authorized_key()
    {
        await using var destination = new TestDestination();
        await using ControlConnection client = await ControlClient.ConnectAsync(
            destination.Address("ssh", "alice"), ControlCredential.FromKey("alice", destination.ClientKey), destination.ClientOptions).WaitAsync(s_wait);
        Assert.Equal("alice", (await destination.Handed.Task.WaitAsync(s_wait)).User);
    }

    [Fact]
    public async Task Named_zone_authorization_reaches_both_sides()
    {
        await using var destination = new TestDestination();
        await using ControlConnection client = await ControlClient.ConnectAsync(
            destination.Address("rads", "bob"), ControlCredential.FromPassword("bob", TestDestination.Password), destination.ClientOptions).WaitAsync(s_wait);
        Assert.True(client.Authorization.Allows("web1"));
        Assert.False(client.Authorization.Allows("db1"));
    }

    [Theory]
    [InlineData("alice", "wrong password", MigrationFailureKind.Authentication)]
    [InlineData("nobody", TestDestination.Password, MigrationFailureKind.Authentication)]
    [InlineData("mallory", TestDestination.Password, MigrationFailureKind.Authorization)]
    public async Task Password_refusals_get_one_clear_error_and_no_handler(string user, string password, MigrationFailureKind expected)
    {
        await using var destination = new TestDestination();
        MigrationException error = await Assert.ThrowsAsync<MigrationException>(() => ControlClient.ConnectAsync(
            destination.Address("rads", user), ControlCredential.FromPassword(user, password), destination.ClientOptions).WaitAsync(s_wait));
        Assert.Equal(expected, error.Kind);
        Assert.Contains(user, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, destination.HandedCount);
    }

    [Fact]
    public async Task Unknown_key_is_refused()
    {
        await using var destination = new TestDestination();
        using ClientKey stranger = ClientKey.Generate();
        MigrationException error = await Assert.ThrowsAsync<MigrationException>(() => ControlClient.ConnectAsync(
            destination.Address("ssh", "alice"), ControlCredential.FromKey("alice", stranger), destination.ClientOptions).WaitAsync(s_wait));
        Assert.Equal(MigrationFailureKind.Authentication, error.Kind);
        Assert.Equal(0, destination.HandedCount);
    }

    [Fact]
    public async Task Revoked_user_with_a_valid_key_is_not_authorized()
    {
        await using var destination = new TestDestination();
        MigrationException error = await Assert.ThrowsAsync<MigrationException>(() => ControlClient.ConnectAsync(
            destination.Address("ssh", "mallory"), ControlCredential.FromKey("mallory", destination.ClientKey), destination.ClientOptions).WaitAsync(s_wait));
        Assert.Equal(MigrationFailureKind.Authorization, error.Kind);
    }

    [Fact]
    public async Task Unpinned_certificate_is_refused_and_trust_on_first_use_pins_it()
    {
        await using var destination = new TestDestination();
        File.WriteAllText(destination.KnownHostsPath, string.Empty);
        var credential = ControlCredential.FromPassword("alice", TestDestination.Password);
        MigrationException error = await Assert.ThrowsAsync<MigrationException>(() => ControlClient.ConnectAsync(
            destination.Address("rads", "alice"), credential, destination.ClientOptions).WaitAsync(s_wait));
        Assert.Equal(MigrationFailureKind.ServerIdentity, error.Kind);
        Assert.Contains("not pinned", error.Message, StringComparison.Ordinal);

        using var log = new RecordingLoggerFactory();
        await using (await ControlClient.ConnectAsync(destination.Address("rads", "alice"), credential, destination.ClientOptions with { TrustOnFirstUse = true, LoggerFactory = log }).WaitAsync(s_wait))
        {
        }

        Assert.Contains(destination.Identity.Fingerprint, File.ReadAllText(destination.KnownHostsPath), StringComparison.Ordinal);
        var pinned = Assert.Single(log.Events, e => e.Id == 9);
        Assert.Equal(LogLevel.Warning, pinned.Level);
        Assert.Contains(destination.Identity.Fingerprint, pinned.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changed_certificate_is_refused_with_a_warning()
    {
        await using var destination = new TestDestination();
        File.WriteAllText(destination.KnownHostsPath, $"127.0.0.1:{destination.Service.Port} SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
        MigrationException error = await Assert.ThrowsAsync<MigrationException>(() => ControlClient.ConnectAsync(
            destination.Address("rads", "alice"), ControlCredential.FromPassword("alice", TestDestination.Password), destination.ClientOptions with { TrustOnFirstUse = true }).WaitAsync(s_wait));
        Assert.Equal(MigrationFailureKind.ServerIdentity, error.Kind);
        Assert.Contains("REMOTE HOST IDENTIFICATION HAS CHANGED", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, destination.HandedCount);
    }

    [Fact]
    public async Task Ca_mode_without_trusted_root_refuses_a_self_signed_certificate()
    {
        await using var destination = new TestDestination();
        MigrationException error = await Assert.ThrowsAsync<MigrationException>(() => ControlClient.ConnectAsync(
            destination.Address("rads", "alice"), ControlCredential.FromPassword("alice", TestDestination.Password), new ControlClientOptions()).WaitAsync(s_wait));
        Assert.Equal(MigrationFailureKind.ServerIdentity, error.Kind);
    }

    [Fact]
    public async Task Ca_mode_accepts_a_certificate_chaining_to_a_trusted_root()
    {
        await using var destination = new TestDestination();
        var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection { destination.Identity.Certificate };
        await using ControlConnection client = await ControlClient.ConnectAsync(
            destination.Address("rads", "alice"), ControlCredential.FromPassword("alice", TestDestination.Password), new ControlClientOptions { TrustedRoots = roots }).WaitAsync(s_wait);
        Assert.Equal("alice", client.User);
    }

    [Fact]
    public async Task Tls11_client_is_refused()
    {
        await using var destination = new TestDestination();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", destination.Service.Port).WaitAsync(s_wait);
        using var ssl = new SslStream(tcp.GetStream());
#pragma warning disable SYSLIB0039, CA5359, CA5397 // TLS 1.1 and any certificate on purpose: the test proves the service refuses TLS 1.1.
        var options = new SslClientAuthenticationOptions { TargetHost = "127.0.0.1", EnabledSslProtocols = SslProtocols.Tls11, RemoteCertificateValidationCallback = (_, _, _, _) => true };
#pragma warning restore SYSLIB0039, CA5359, CA5397
        // Either the platform's OpenSSL refuses to offer TLS 1.1 or the service refuses it; both fail the handshake.
        await Assert.ThrowsAnyAsync<Exception>(() => ssl.AuthenticateAsClientAsync(options).WaitAsync(s_wait));
        Assert.Equal(0, destination.HandedCount);
    }
}
