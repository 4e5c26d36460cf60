using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Authentication.Internal;
using KernelZones.Migration.Control.Internal;

namespace KernelZones.Migration.Control;

/// <summary>The source's side: connects to a destination's control service, verifies it, says hello and authenticates.</summary>
internal static class ControlClient
{
    /// <summary>Connects and authenticates.</summary>
    /// <param name="address">The destination; <see cref="RemoteScheme.Ssh"/> needs a key credential, <see cref="RemoteScheme.Rads"/> a password.</param>
    /// <param name="credential">Who we are; its user is used when <paramref name="address"/> names none.</param>
    /// <param name="options">Trust and time limits; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>An authenticated connection; dispose it.</returns>
    /// <exception cref="MigrationException">Any failure, with its kind: Connection, Tls, ServerIdentity, Version, Authentication, Authorization, Protocol, Timeout, Credentials.</exception>
    public static async Task<ControlConnection> ConnectAsync(
        RemoteAddress address, ControlCredential credential, ControlClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new ControlClientOptions();
        CheckCredentialMatchesScheme(address, credential);
        string user = address.User ?? credential.User;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(options.ConnectTimeout);
        var validator = new ServerCertificateValidator(address, options);
        MessageChannel? channel = null;
        try
        {
            channel = await OpenTlsAsync(address, validator, options, timer.Token).ConfigureAwait(false);
            validator.CommitPin();
            ControlPeer peer = await GreetAsync(channel, address, user, credential, options, timer.Token).ConfigureAwait(false);
            var connection = new ControlConnection(channel, peer, options.IdleTimeout);
            channel = null;
            return connection;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MigrationException(MigrationFailureKind.Timeout, $"connecting to {address} did not complete within {options.ConnectTimeout.TotalSeconds:0.###} s", e);
        }
        finally
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<MessageChannel> OpenTlsAsync(RemoteAddress address, ServerCertificateValidator validator, ControlClientOptions options, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(address.Host, address.Port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new MigrationException(MigrationFailureKind.Connection, $"cannot connect to {address.HostAndPort}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose(); // cancelled or timed out while connecting: the socket must not wait for the finalizer
            throw;
        }

        var channel = new MessageChannel(new SslStream(new NetworkStream(socket, ownsSocket: true)), options.MaxMessageSize);
        try
        {
            await channel.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = address.Host,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    AllowRenegotiation = false,
                    RemoteCertificateValidationCallback = validator.Validate,
                },
                cancellationToken).ConfigureAwait(false);
            return channel;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw validator.Failure is { } failure
                ? new MigrationException(MigrationFailureKind.ServerIdentity, failure, e)
                : e is AuthenticationException
                    ? new MigrationException(MigrationFailureKind.Tls, $"TLS handshake with {address.HostAndPort} failed: {ExceptionText.WithCause(e)}", e)
                    : ClosedDuringHandshake(address, e); // no TLS alert, the transport just ended: EOF, reset or broken pipe
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<ControlPeer> GreetAsync(
        MessageChannel channel, RemoteAddress address, string user, ControlCredential credential, ControlClientOptions options, CancellationToken cancellationToken)
    {
        TimeSpan limit = options.ConnectTimeout;
        Hello local = Hello.From(options.Offer);
        string destination = $"the destination ({address.Host})";
        ControlMessage first;
        try
        {
            await channel.SendAsync(local, limit, cancellationToken).ConfigureAwait(false);
            first = await channel.ReceiveAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (MigrationException e) when (e.Kind == MigrationFailureKind.Connection)
        {
            throw ClosedDuringHandshake(address, e);
        }

        Hello greeting = await MessageExpectation.ExpectAsync<Hello>(channel, first, destination, limit, cancellationToken).ConfigureAwait(false);
        int version = ProtocolVersion.Agree(local, greeting);
        AuthChallenge challenge = await ReceiveAsync<AuthChallenge>(channel, destination, limit, cancellationToken).ConfigureAwait(false);
        ControlMessage proof = credential.Key is { } key
            ? new KeyAuthentication(user, key.PublicKey.ToBlob(), key.Sign(KeyChallenge.Build(challenge.Nonce, channel.RemoteCertificate!.GetRawCertData(), user)))
            : new PasswordAuthentication(user, credential.Password!);
        await channel.SendAsync(proof, limit, cancellationToken).ConfigureAwait(false);
        Authenticated result = await ReceiveAsync<Authenticated>(channel, destination, limit, cancellationToken).ConfigureAwait(false);
        Hello peerHello = await ReceiveAsync<Hello>(channel, destination, limit, cancellationToken).ConfigureAwait(false);
        ZoneAuthorization authorization = result.AllZones ? ZoneAuthorization.All : ZoneAuthorization.For(result.Zones);
        return new ControlPeer(result.User, authorization, local, peerHello, version, null);
    }

    private static async Task<T> ReceiveAsync<T>(MessageChannel channel, string peer, TimeSpan limit, CancellationToken cancellationToken)
        where T : ControlMessage
    {
        ControlMessage message = await channel.ReceiveAsync(limit, cancellationToken).ConfigureAwait(false);
        return await MessageExpectation.ExpectAsync<T>(channel, message, peer, limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The connection ended without a word before the destination's hello. A destination does that to connections it
    /// sheds when too many are pending; the transport's own text ("unexpected EOF", "Broken pipe") would not say so.
    /// </summary>
    private static MigrationException ClosedDuringHandshake(RemoteAddress address, Exception e) => new(
        MigrationFailureKind.Connection,
        $"{address.HostAndPort}: the destination closed the connection during the handshake: it sheds connections when too many are pending (flooded or overloaded), or the connection was cut; retry later ({ExceptionText.WithCause(e)})",
        e);

    private static void CheckCredentialMatchesScheme(RemoteAddress address, ControlCredential credential)
    {
        if (address.Scheme == RemoteScheme.Ssh && credential.Key is null)
        {
            throw new MigrationException(MigrationFailureKind.Credentials, $"{address} uses key-based authentication; a private key is needed");
        }

        if (address.Scheme == RemoteScheme.Rads && credential.Password is null)
        {
            throw new MigrationException(MigrationFailureKind.Credentials, $"{address} uses password authentication; a password is needed");
        }
    }
}
