using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Control.Internal;
using KernelZones.Migration.Negotiation;

// Every await here is bounded by WaitAsync; the test token adds nothing.
#pragma warning disable xUnit1051

namespace KernelZones.Migration.Tests.Control;

/// <summary>
/// A source whose control connection is shed learns so: from the destination's error message once TLS is up, and from
/// the client's own reading of a connection closed without a word during TLS or before the destination's hello.
/// </summary>
public sealed class HandshakeShedTests : IDisposable
{
    private const string ShedByDestination = "the destination closed the connection during the handshake: it sheds connections when too many are pending";
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("kz-shed-").FullName;

    [Fact]
    public async Task A_connection_shed_after_TLS_is_told_it_was_closed_to_make_room()
    {
        await using var destination = new TestDestination(configure: o => o with { MaxPendingHandshakes = 1 });
        using var tcp = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        await tcp.ConnectAsync(IPAddress.Loopback, destination.Service.Port).WaitAsync(s_wait);
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            // In TLS 1.2 the server's Finished is the last handshake message: once the client is through, so is the service.
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && ServerIdentity.ComputeFingerprint(certificate) == destination.Identity.Fingerprint,
        }).WaitAsync(s_wait);
        await using var channel = new MessageChannel(ssl, 1 << 20);

        // TLS is up but no hello yet: a newcomer from another prefix takes the only slot.
        using var newcomer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        newcomer.Bind(new IPEndPoint(IPAddress.Parse("127.0.1.1"), 0));
        await newcomer.ConnectAsync(IPAddress.Loopback, destination.Service.Port).WaitAsync(s_wait);

        var error = Assert.IsType<ErrorMessage>(await channel.ReceiveAsync(s_wait, CancellationToken.None));
        Assert.Equal(MigrationFailureKind.Connection, error.Failure);
        Assert.Contains("closed to make room", error.Message, StringComparison.Ordinal);
        Assert.Contains("retry later", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_close_during_the_TLS_handshake_is_reported_as_shedding_not_as_an_unexpected_EOF()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Task server = CloseAfterAsync(listener, identity: null);

        MigrationException error = await Assert.ThrowsAsync<MigrationException>(() => ConnectAsync(listener, fingerprint: "SHA256:unused"));

        await server.WaitAsync(s_wait);
        Assert.Equal(MigrationFailureKind.Connection, error.Kind);
        Assert.Contains(ShedByDestination, error.Message, StringComparison.Ordinal);
        Assert.Contains("retry later", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_close_after_TLS_before_the_destination_hello_is_reported_as_shedding()
    {
        using var identity = ServerIdentity.LoadOrCreate(Path.Combine(_directory, "identity"), "kz-shedder");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Task server = CloseAfterAsync(listener, identity);

        MigrationException error = await Assert.ThrowsAsync<MigrationException>(() => ConnectAsync(listener, identity.Fingerprint));

        await server.WaitAsync(s_wait);
        Assert.Equal(MigrationFailureKind.Connection, error.Kind);
        Assert.Contains(ShedByDestination, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<ControlConnection> ConnectAsync(TcpListener listener, string fingerprint)
    {
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string knownHosts = Path.Combine(_directory, "known_hosts");
        File.WriteAllText(knownHosts, $"127.0.0.1:{port} {fingerprint}\n");
        var options = new ControlClientOptions { KnownHostsPath = knownHosts, ConnectTimeout = s_wait, Offer = new HostOffer { AllowNone = true } };
        return ControlClient.ConnectAsync(RemoteAddress.Parse($"rads://alice@127.0.0.1:{port}"), ControlCredential.FromPassword("alice", "secret"), options).WaitAsync(s_wait);
    }

    /// <summary>Accepts one connection and closes it as a shedding destination would: at once, or (with an identity) right after TLS.</summary>
    private static async Task CloseAfterAsync(TcpListener listener, ServerIdentity? identity)
    {
        using Socket socket = await listener.AcceptSocketAsync().WaitAsync(s_wait);
        if (identity is null)
        {
            return;
        }

        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = identity.Certificate }).WaitAsync(s_wait);
    }
}
