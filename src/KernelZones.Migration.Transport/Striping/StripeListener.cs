using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using KernelZones.Migration.Transport.Keys;
using Microsoft.Extensions.Logging;

namespace KernelZones.Migration.Transport.Striping;

/// <summary>
/// The destination's data service (<c>kz-migr</c>, as on Solaris; TCP port 8102 by default): accepts the stripes of
/// the transfers it has been told to expect, and drops every other connection at the handshake.
/// </summary>
/// <remarks>
/// A connection is dropped — logged and counted, without disturbing transfers in progress — when its first
/// bytes are not our hello, name an unknown transfer, carry a bad proof, repeat a hello already seen, name a
/// stripe already connected, or do not arrive within <see cref="StripeOptions.HandshakeTimeout"/>. At most
/// <see cref="StripeOptions.MaxPendingHandshakes"/> connections wait in the handshake at once; when that many are waiting,
/// a new connection closes the oldest one whose hello has not fully arrived. Each handshake runs on a thread of its
/// own with blocking calls, so that a stripe's socket is never used asynchronously (see <see cref="Stripe"/>); the
/// accept loop itself is asynchronous. Thread-safe.
/// </remarks>
public sealed class StripeListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly StripeOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Guid, Expected> _expected = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly PendingHandshakes _pendingHandshakes;
    private readonly ConcurrentDictionary<Task, bool> _handshakes = new();
    private Task _acceptLoop = Task.CompletedTask;
    private long _rejected;

    private StripeListener(Socket socket, StripeOptions options)
    {
        _socket = socket;
        _options = options;
        _logger = TransportLog.CreateLogger(options.LoggerFactory);
        _pendingHandshakes = new PendingHandshakes(options.MaxPendingHandshakes);
    }

    /// <summary>The bound address and port (useful when started on port 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Connections dropped at the handshake (or for exceeding the pending-handshake cap) since start.</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejected);

    /// <summary>Binds and starts accepting.</summary>
    /// <param name="endPoint">Address and port; <see cref="IPAddress.IPv6Any"/> accepts IPv4 too (dual mode). Port 0 picks a free port.</param>
    /// <param name="options">Settings; <see langword="null"/> means <see cref="StripeOptions.Default"/>.</param>
    /// <exception cref="SocketException">The address cannot be bound (for example, the port is in use).</exception>
    public static StripeListener Start(IPEndPoint endPoint, StripeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var listener = new StripeListener(socket, options ?? StripeOptions.Default);
        TransportLog.Listening(listener._logger, listener.LocalEndPoint.ToString());
        listener._acceptLoop = listener.AcceptLoopAsync();
        return listener;
    }

    /// <summary>
    /// Registers a transfer the listener should accept stripes for. The returned transfer starts receiving as each
    /// stripe arrives; <see cref="StripedTransfer.WaitForStripesAsync"/> waits for all of them.
    /// </summary>
    /// <param name="descriptor">What the control channel negotiated; the listener derives what it needs and does not keep it.</param>
    /// <param name="sink">Where received records go.</param>
    /// <exception cref="InvalidOperationException">A transfer with the same id is already expected.</exception>
    public StripedTransfer Expect(TransferDescriptor descriptor, IRecordSink sink)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(sink);
        var transfer = new StripedTransfer(descriptor, StreamDirection.DestinationToSource, sink, _options, t => _expected.TryRemove(t.MigrationId, out _));
        if (!_expected.TryAdd(descriptor.MigrationId, new Expected(transfer)))
        {
            throw new InvalidOperationException($"Transfer {descriptor.MigrationId} is already expected.");
        }

        return transfer;
    }

    /// <summary>Transfers announced with <see cref="Expect"/> and not yet disposed, for diagnostics and leak checks. Thread-safe.</summary>
    public int PendingTransfers => _expected.Count;

    /// <summary>Connections held in their handshake now, at most <see cref="StripeOptions.MaxPendingHandshakes"/>. Thread-safe.</summary>
    public int HandshakesInProgress => _pendingHandshakes.Count;

    /// <summary>Stops accepting, drops pending handshakes and aborts every transfer still expected.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Task.WhenAll(_handshakes.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var expected in _expected.Values)
        {
            await expected.Transfer.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                TransportLog.AcceptFailed(_logger, ex);
                continue;
            }

            if (_pendingHandshakes.TryAdmit(_stopping.Token) is not { } pending)
            {
                Reject(connection, "too many connections are already in their handshake");
                continue;
            }

            // Each handshake runs on a thread of its own with blocking calls, so that the socket never enters the
            // runtime's event loop before it becomes a stripe; the pending-handshake cap bounds these threads.
            Task handshake = DedicatedThread.Start("kz-migr handshake", () => Handshake(connection, pending)).Completion;
            _handshakes.TryAdd(handshake, true);
            _ = handshake.ContinueWith(static (t, s) => ((StripeListener)s!)._handshakes.TryRemove(t, out _), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Reads the hello, admits or rejects the connection, answers it and attaches it as a stripe.</summary>
    private void Handshake(Socket connection, PendingHandshakes.Entry pending)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(pending.Token);
        deadline.CancelAfter(_options.HandshakeTimeout);

        // The deadline, an eviction or the listener stopping rejects the connection then and there (counted and logged
        // before the peer sees it closed); closing it ends the blocking call in progress in Answer.
        var expiry = deadline.Token.UnsafeRegister(_ => Reject(connection, ExpiryReason(pending)), null);
        try
        {
            string? refusal = Answer(connection, pending, out Expected? expected, out int stripe);
            if (!expiry.Unregister())
            {
                return; // the expiry has run: the connection is rejected already
            }

            if (refusal is not null)
            {
                Reject(connection, refusal);
                return;
            }

            connection.NoDelay = true;
            if (!expected!.Transfer.TryAttach(stripe, connection))
            {
                Reject(connection, $"stripe {stripe} of transfer {expected.Transfer.MigrationId} is already connected");
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Reject(connection, ex.Message);
        }
        finally
        {
            expiry.Dispose();
            _pendingHandshakes.Remove(pending);
        }
    }

    /// <summary>
    /// With blocking calls: receives the hello, checks it and sends the reply. Returns why the connection is refused
    /// (a socket error included), or <see langword="null"/> with the transfer and stripe it is admitted as.
    /// </summary>
    private string? Answer(Socket connection, PendingHandshakes.Entry pending, out Expected? expected, out int stripe)
    {
        expected = null;
        stripe = -1;
        try
        {
            byte[] hello = new byte[StripeHandshake.HelloSize];
            StripeHandshake.ReceiveExactly(connection, hello);
            if (!_pendingHandshakes.TryProtect(pending))
            {
                return EvictedReason;
            }

            if (Admit(hello, out expected, out stripe) is { } refusal)
            {
                return refusal;
            }

            byte[] reply = new byte[StripeHandshake.ReplySize];
            StripeHandshake.WriteReply(reply, hello, expected!.Transfer.HandshakeKey);
            StripeHandshake.SendAll(connection, reply);
            return null;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return ex.Message;
        }
    }

    private string EvictedReason => $"closed to make room: {_options.MaxPendingHandshakes} connections were waiting in their handshake and its hello was the oldest unfinished one";

    private string ExpiryReason(PendingHandshakes.Entry pending) =>
        _stopping.IsCancellationRequested ? "the data service is stopping"
        : pending.Token.IsCancellationRequested ? EvictedReason
        : $"no complete handshake within {_options.HandshakeTimeout.TotalSeconds:0.#} s";

    private string? Admit(byte[] hello, out Expected? expected, out int stripe)
    {
        expected = null;
        stripe = -1;
        if (StripeHandshake.ReadHello(hello) is not { } header)
        {
            return "not a kz-migr stripe handshake";
        }

        if (header.Version != StripeHandshake.Version)
        {
            return $"handshake version {header.Version} is not supported (this host speaks {StripeHandshake.Version})";
        }

        if (!_expected.TryGetValue(header.MigrationId, out expected))
        {
            return $"unknown transfer {header.MigrationId}";
        }

        if (!StripeHandshake.VerifyHello(hello, expected.Transfer.HandshakeKey))
        {
            return $"bad proof of the session key for transfer {header.MigrationId}";
        }

        if (header.StripeCount != expected.Transfer.StripeCount || header.StripeIndex >= header.StripeCount)
        {
            return $"stripe {header.StripeIndex} of {header.StripeCount} does not match transfer {header.MigrationId} ({expected.Transfer.StripeCount} stripes)";
        }

        if (!expected.SeenNonces.TryAdd(StripeHandshake.Nonce(hello), true))
        {
            return $"replayed handshake for stripe {header.StripeIndex} of transfer {header.MigrationId}";
        }

        if (expected.Transfer.IsStripeTaken(header.StripeIndex))
        {
            return $"stripe {header.StripeIndex} of transfer {header.MigrationId} is already connected";
        }

        stripe = header.StripeIndex;
        return null;
    }

    private void Reject(Socket connection, string reason)
    {
        Interlocked.Increment(ref _rejected);
        TransportMetrics.HandshakeRejected(reason.Split(' ')[0]);
        TransportLog.HandshakeRejected(_logger, SafeRemote(connection), reason);
        connection.Dispose();
    }

    private static string? SafeRemote(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint?.ToString();
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    private sealed class Expected(StripedTransfer transfer)
    {
        public StripedTransfer Transfer { get; } = transfer;

        public ConcurrentDictionary<UInt128, bool> SeenNonces { get; } = new();
    }
}
