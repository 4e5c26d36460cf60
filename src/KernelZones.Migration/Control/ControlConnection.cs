using System.Net;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control.Internal;

namespace KernelZones.Migration.Control;

/// <summary>
/// An authenticated control connection: TLS established, hellos exchanged, the peer authenticated
/// (and, on the destination, authorized). Typed messages go both ways.
/// </summary>
/// <remarks>
/// One send and one receive may run at the same time; concurrent sends are serialized. A receive
/// that waits longer than <see cref="IdleTimeout"/> fails with <see cref="MigrationFailureKind.Timeout"/>;
/// any failure leaves the connection unusable: dispose it.
/// </remarks>
internal sealed class ControlConnection : IAsyncDisposable
{
    private readonly MessageChannel _channel;

    internal ControlConnection(MessageChannel channel, ControlPeer peer, TimeSpan idleTimeout)
    {
        _channel = channel;
        User = peer.User;
        Authorization = peer.Authorization;
        LocalHello = peer.LocalHello;
        PeerHello = peer.PeerHello;
        ProtocolVersion = peer.ProtocolVersion;
        RemoteEndPoint = peer.RemoteEndPoint;
        IdleTimeout = idleTimeout;
    }

    /// <summary>The authenticated user (the peer's on the destination, our own on the source).</summary>
    public string User { get; }

    /// <summary>The zones <see cref="User"/> may migrate into the destination.</summary>
    public ZoneAuthorization Authorization { get; }

    /// <summary>The hello this side sent.</summary>
    public Hello LocalHello { get; }

    /// <summary>The hello the peer sent.</summary>
    public Hello PeerHello { get; }

    /// <summary>The agreed protocol version.</summary>
    public int ProtocolVersion { get; }

    /// <summary>The peer's address.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>How long a send or receive may wait for the peer.</summary>
    public TimeSpan IdleTimeout { get; }

    /// <summary>Sends one message.</summary>
    /// <exception cref="MigrationException">The message is too large, the peer is too slow, or the connection failed.</exception>
    public ValueTask SendAsync(ControlMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _channel.SendAsync(message, IdleTimeout, cancellationToken);
    }

    /// <summary>Receives the next message, whatever its type.</summary>
    /// <exception cref="MigrationException">The peer was silent beyond <see cref="IdleTimeout"/>, sent a malformed or oversized message, or the connection failed.</exception>
    public ValueTask<ControlMessage> ReceiveAsync(CancellationToken cancellationToken = default) =>
        _channel.ReceiveAsync(IdleTimeout, cancellationToken);

    /// <summary>Receives the next message, waiting at most <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: until cancelled).</summary>
    internal ValueTask<ControlMessage> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _channel.ReceiveAsync(timeout, cancellationToken);

    /// <summary>Receives the next message, which must be a <typeparamref name="T"/>.</summary>
    /// <exception cref="MigrationException">
    /// The peer sent an <see cref="ErrorMessage"/> (its kind and text), an <see cref="Abort"/> (<see cref="MigrationFailureKind.Aborted"/>),
    /// or another type (<see cref="MigrationFailureKind.Protocol"/>; the peer is told), or receiving failed.
    /// </exception>
    public async ValueTask<T> ReceiveAsync<T>(CancellationToken cancellationToken = default)
        where T : ControlMessage
    {
        ControlMessage message = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
        return await ExpectAsync<T>(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes a message already received, which must be a <typeparamref name="T"/>; the rules of <see cref="ReceiveAsync{T}"/>.</summary>
    public ValueTask<T> ExpectAsync<T>(ControlMessage message, CancellationToken cancellationToken = default)
        where T : ControlMessage =>
        MessageExpectation.ExpectAsync<T>(_channel, message, PeerHello.HostName, IdleTimeout, cancellationToken);

    /// <summary>Tells the peer about a failure with an <see cref="ErrorMessage"/>; failures to send are ignored, as the connection is going down.</summary>
    public ValueTask SendErrorAsync(MigrationException error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        return MessageExpectation.TrySendErrorAsync(_channel, error, IdleTimeout, cancellationToken);
    }

    /// <summary>Closes the TLS session and the socket.</summary>
    public ValueTask DisposeAsync() => _channel.DisposeAsync();
}
