using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Authentication;
using KernelZones.Migration.Control;

// Every await here is bounded by WaitAsync(30 s); the test token adds nothing.
#pragma warning disable xUnit1051

namespace KernelZones.Migration.Tests.Control;

/// <summary>The control service offers AEAD cipher suites only: a TLS 1.2 client that knows only CBC ones cannot connect.</summary>
[SupportedOSPlatform("linux")]
public sealed class TlsCipherSuiteTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)]
    public async Task A_tls12_client_with_an_aead_suite_connects(TlsCipherSuite suite)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "SslStream restricts cipher suites on Linux only");
        await using var destination = new TestDestination();

        using SslStream tls = await HandshakeAsync(destination, suite);

        Assert.Equal(SslProtocols.Tls12, tls.SslProtocol);
        Assert.Equal(suite, tls.NegotiatedCipherSuite);
    }

    [Theory]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384)]
    public async Task A_tls12_client_with_only_a_cbc_suite_is_refused(TlsCipherSuite suite)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "SslStream restricts cipher suites on Linux only");
        await using var destination = new TestDestination();

        Exception refused = await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(destination, suite));

        Assert.True(refused is AuthenticationException or IOException, refused.ToString());
    }

    private static async Task<SslStream> HandshakeAsync(TestDestination destination, TlsCipherSuite suite)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, destination.Service.Port).WaitAsync(s_wait);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                EnabledSslProtocols = SslProtocols.Tls12,
                CipherSuitesPolicy = new CipherSuitesPolicy([suite]),
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
            }).WaitAsync(s_wait);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }
}
