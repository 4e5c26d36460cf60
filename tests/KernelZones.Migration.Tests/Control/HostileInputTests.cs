using System.Net.Security;
using System.Net.Sockets;
using KernelZones.Migration.Control;
using KernelZones.Migration.Control.Internal;
using KernelZones.Migration.Negotiation;

// Every await here is bounded by WaitAsync(30 s); the test token adds nothing.
#pragma warning disable xUnit1051

namespace KernelZones.Migration.Tests.Control;

public sealed class HostileInputTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF }, "limit")]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x03, 0x92, 0x01, 0xC1 }, "malformed")]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x02, 0x92, 0x63 }, "malformed")]
    public async Task Garbage_after_the_tls_handshake_gets_a_protocol_error(byte[] bytes, string expected)
    {
        await using var destination = new TestDestination();
        (SslStream ssl, MessageChannel channel) = await OpenAsync(destination);
        await using (channel)
        {
            await ssl.WriteAsync(bytes).AsTask().WaitAsync(s_wait);
            var error = (ErrorMessage)await channel.ReceiveAsync(s_wait, CancellationToken.None).AsTask().WaitAsync(s_wait);
            Assert.Equal(MigrationFailureKind.Protocol, error.Failure);
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
            Assert.Equal(0, destination.HandedCount);
        }
    }

    [Fact]
    public async Task Truncated_message_then_close_leaves_the_service_serving()
    {
        await using var destination = new TestDestination();
        (SslStream ssl, MessageChannel channel) = await OpenAsync(destination);
        await using (channel)
        {
            await ssl.WriteAsync(new byte[] { 0x00, 0x00, 0x01, 0x00, 0x92, 0x01 }).AsTask().WaitAsync(s_wait);
        }

        await using ControlConnection client = await ControlClient.ConnectAsync(
            destination.Address("rads", "alice"), KernelZones.Migration.Authentication.ControlCredential.FromPassword("alice", TestDestination.Password), destination.ClientOptions).WaitAsync(s_wait);
        Assert.Equal("alice", (await destination.Handed.Task.WaitAsync(s_wait)).User);
    }

    [Fact]
    public async Task Valid_message_of_the_wrong_type_for_the_phase_is_refused()
    {
        await using var destination = new TestDestination();
        (_, MessageChannel channel) = await OpenAsync(destination);
        await using (channel)
        {
            await channel.SendAsync(new Negotiate(null, 0, 1L << 30), s_wait, CancellationToken.None).AsTask().WaitAsync(s_wait);
            var error = (ErrorMessage)await channel.ReceiveAsync(s_wait, CancellationToken.None).AsTask().WaitAsync(s_wait);
            Assert.Equal(MigrationFailureKind.Protocol, error.Failure);
            Assert.Contains("expected a Hello", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Before_login_the_destination_tells_its_protocol_versions_and_nothing_about_the_host()
    {
        await using var destination = new TestDestination();
        (_, MessageChannel channel) = await OpenAsync(destination);
        await using (channel)
        {
            await channel.SendAsync(Hello.From(new HostOffer { HostName = "curious" }), s_wait, CancellationToken.None).AsTask().WaitAsync(s_wait);
            var greeting = (Hello)await channel.ReceiveAsync(s_wait, CancellationToken.None).AsTask().WaitAsync(s_wait);
            Assert.Equal((ProtocolVersion.Minimum, ProtocolVersion.Current), (greeting.MinVersion, greeting.MaxVersion));
            Assert.Equal(string.Empty, greeting.HostName);
            Assert.Equal(0, greeting.CpuCount);
            Assert.Empty(greeting.Ciphers);
            Assert.Empty(greeting.CpuArchClasses);
            Assert.Empty(greeting.HostCompatibleLevels);
            Assert.Equal(0, greeting.FreeMemoryBytes);
        }
    }

    [Fact]
    public async Task Version_from_the_future_is_refused_naming_both_ranges()
    {
        await using var destination = new TestDestination();
        (_, MessageChannel channel) = await OpenAsync(destination);
        await using (channel)
        {
            Hello future = Hello.From(new KernelZones.Migration.Negotiation.HostOffer { HostName = "future-host" }) with { MinVersion = 9, MaxVersion = 9 };
            await channel.SendAsync(future, s_wait, CancellationToken.None).AsTask().WaitAsync(s_wait);
            var error = (ErrorMessage)await channel.ReceiveAsync(s_wait, CancellationToken.None).AsTask().WaitAsync(s_wait);
            Assert.Equal(MigrationFailureKind.Version, error.Failure);
            Assert.Contains("future-host speaks version 9", error.Message, StringComparison.Ordinal);
            Assert.Contains($"the destination speaks version {ProtocolVersion.Current}", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Environment.MachineName, error.Message, StringComparison.Ordinal); // nothing about the host before login
        }
    }

    [Fact]
    public async Task Silent_peer_is_dropped_after_the_handshake_timeout()
    {
        await using var destination = new TestDestination(configure: o => o with { HandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", destination.Service.Port).WaitAsync(s_wait);
        int read = await tcp.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(s_wait);
        Assert.Equal(0, read);
        Assert.Equal(0, destination.HandedCount);
    }

    private static async Task<(SslStream Ssl, MessageChannel Channel)> OpenAsync(TestDestination destination)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", destination.Service.Port).WaitAsync(s_wait);
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        string pinned = destination.Identity.Fingerprint;
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && ServerIdentity.ComputeFingerprint(certificate) == pinned,
        }).WaitAsync(s_wait);
        return (ssl, new MessageChannel(ssl, 1 << 20));
    }
}
