using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Authentication.Internal;
using KernelZones.Migration.Control.Internal;
using KernelZones.Migration.Diagnostics;

namespace KernelZones.Migration.Control;

internal sealed partial class ControlService
{
    private async Task ServeAsync(Socket socket, ConnectionAdmission.Entry pending)
    {
        await Task.Yield();
        EndPoint? remote = socket.RemoteEndPoint;
        var channel = new MessageChannel(new SslStream(new NetworkStream(socket, ownsSocket: true)), _options.MaxMessageSize);
        ControlPeer? peer;
        try
        {
            peer = await HandshakeAsync(channel, remote, pending).ConfigureAwait(false);
        }
        finally
        {
            _admission.Remove(pending);
        }

        if (peer is null)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            return;
        }

        var connection = new ControlConnection(channel, peer, _options.IdleTimeout);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                await _handler(connection, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // The service is stopping and cancelled the handler on purpose: not a failure to report.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A handler failure ends its connection only; the service keeps serving others.
                MigrationLog.HandlerFailed(_logger, remote, e);
            }
        }
    }

    /// <summary>TLS, hellos, authentication and authorization; <see langword="null"/> when the peer was refused (it has been told why).</summary>
    private async Task<ControlPeer?> HandshakeAsync(MessageChannel channel, EndPoint? remote, ConnectionAdmission.Entry pending)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(pending.Token);
        timer.CancelAfter(_options.HandshakeTimeout);
        try
        {
            await channel.AuthenticateAsServerAsync(TlsOptions(), timer.Token).ConfigureAwait(false);
            Hello local = Hello.From(_options.Offer);
            Hello peerHello = await ReceiveExpectedAsync<Hello>(channel, "the peer", timer.Token).ConfigureAwait(false);
            Hello greeting = local.ToGreeting();
            int version = ProtocolVersion.Agree(greeting, peerHello);

            // TLS done and a valid hello: a peer that far is no longer shed for newcomers that are not.
            if (!_admission.TryProtect(pending))
            {
                throw new OperationCanceledException(pending.Token);
            }

            await channel.SendAsync(greeting, _options.HandshakeTimeout, timer.Token).ConfigureAwait(false);
            byte[] nonce = RandomNumberGenerator.GetBytes(KeyChallenge.NonceSize);
            await channel.SendAsync(new AuthChallenge(nonce), _options.HandshakeTimeout, timer.Token).ConfigureAwait(false);
            UserAccount account = await AuthenticateAsync(channel, remote, nonce, timer.Token).ConfigureAwait(false);
            if (!account.Authorization.AllowsAny)
            {
                MigrationLog.AuthorizationRefused(_logger, account.Name, remote);
                throw new MigrationException(MigrationFailureKind.Authorization, $"user '{account.Name}' is not authorized to migrate zones into {local.HostName}");
            }

            var authorization = account.Authorization;
            await channel.SendAsync(new Authenticated(account.Name, authorization.AllZones, [.. authorization.Zones]), _options.HandshakeTimeout, timer.Token).ConfigureAwait(false);
            await channel.SendAsync(local, _options.HandshakeTimeout, timer.Token).ConfigureAwait(false); // the host's offer, to an authenticated peer only
            return new ControlPeer(account.Name, authorization, local, peerHello, version, remote);
        }
        catch (Exception e) when (e is MigrationException or AuthenticationException or IOException or OperationCanceledException)
        {
            bool shed = pending.IsShed && !_stopping.IsCancellationRequested;
            MigrationException reason = shed
                ? new MigrationException(MigrationFailureKind.Connection, "closed to make room: too many connections were in their handshake (the destination sheds the busiest sources' unfinished ones when flooded or overloaded); retry later", e)
                : e as MigrationException ?? (e is OperationCanceledException
                    ? new MigrationException(MigrationFailureKind.Timeout, $"the handshake did not complete within {_options.HandshakeTimeout.TotalSeconds:0.###} s", e)
                    : new MigrationException(MigrationFailureKind.Tls, $"TLS handshake failed: {e.Message}", e));
            if (!shed)
            {
                // A shed connection is counted in the rejection summary instead: under a flood, a line each would flood the log.
                MigrationLog.HandshakeFailed(_logger, remote, reason.Message);
            }

            if (channel.IsAuthenticated)
            {
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await MessageExpectation.TrySendErrorAsync(channel, reason, TimeSpan.FromSeconds(2), grace.Token).ConfigureAwait(false);
            }

            return null;
        }
    }

    private async Task<UserAccount> AuthenticateAsync(MessageChannel channel, EndPoint? remote, byte[] nonce, CancellationToken cancellationToken)
    {
        ControlMessage message = await channel.ReceiveAsync(_options.HandshakeTimeout, cancellationToken).ConfigureAwait(false);
        if (message is not (PasswordAuthentication or KeyAuthentication))
        {
            await MessageExpectation.ExpectAsync<PasswordAuthentication>(channel, message, "the peer", _options.HandshakeTimeout, cancellationToken).ConfigureAwait(false);
        }

        IPAddress address = (remote as IPEndPoint)?.Address ?? IPAddress.None;
        using (await _throttle.WaitTurnAsync(address, cancellationToken).ConfigureAwait(false))
        {
            string user = message switch
            {
                PasswordAuthentication password => password.User,
                KeyAuthentication key => key.User,
                _ => string.Empty,
            };
            Admission admission = _throttle.Admit(address, user);
            if (admission.Refusal is { } refusal)
            {
                MigrationLog.AuthenticationThrottled(_logger, user, remote, refusal);
                throw new MigrationException(MigrationFailureKind.Authentication, refusal);
            }

            (UserAccount? account, string method) = message switch
            {
                PasswordAuthentication password => (_options.Users.VerifyPassword(password.User, password.Password), "password"),
                KeyAuthentication key => (VerifyKey(key, nonce), "key"),
                _ => (null, string.Empty),
            };
            if (account is null)
            {
                (int failures, TimeSpan penalty) = _throttle.RecordFailure(address, user, admission);
                MigrationLog.AuthenticationFailed(_logger, user, remote, failures, penalty.TotalMilliseconds);
                throw new MigrationException(MigrationFailureKind.Authentication, $"authentication failed for user '{user}'");
            }

            _throttle.RecordSuccess(address, user, admission);
            MigrationLog.AuthenticationSucceeded(_logger, user, remote, method);
            return account;
        }
    }

    private UserAccount? VerifyKey(KeyAuthentication message, byte[] nonce)
    {
        UserAccount? account = _options.Users.Find(message.User);
        SshPublicKey? key = account?.AuthorizedKeys.Find(message.PublicKey);
        if (key is null)
        {
            return null;
        }

        byte[] challenge = KeyChallenge.Build(nonce, _options.Identity.Certificate.RawData, message.User);
        return key.Verify(challenge, message.Signature) ? account : null;
    }

    private async Task<T> ReceiveExpectedAsync<T>(MessageChannel channel, string peer, CancellationToken cancellationToken)
        where T : ControlMessage
    {
        ControlMessage message = await channel.ReceiveAsync(_options.HandshakeTimeout, cancellationToken).ConfigureAwait(false);
        return await MessageExpectation.ExpectAsync<T>(channel, message, peer, _options.HandshakeTimeout, cancellationToken).ConfigureAwait(false);
    }

    private SslServerAuthenticationOptions TlsOptions() => new()
    {
        ServerCertificateContext = _serverCertificate ??= SslStreamCertificateContext.Create(_options.Identity.Certificate, additionalCertificates: null),
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        AllowRenegotiation = false,
        ClientCertificateRequired = false,
        CipherSuitesPolicy = OperatingSystem.IsLinux() ? AeadCipherSuites.Policy : null,
    };
}
