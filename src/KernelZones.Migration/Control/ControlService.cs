using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using KernelZones.Migration.Authentication.Internal;
using KernelZones.Migration.Control.Internal;
using KernelZones.Migration.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KernelZones.Migration.Control;

/// <summary>
/// The destination's control service: accepts TCP connections, runs TLS (1.2 minimum, 1.3 preferred,
/// no renegotiation, AEAD cipher suites only on Linux), the hellos, authentication (throttled per address and per user
/// name, see <see cref="ControlServiceOptions.UserFailureBurst"/>) and authorization under one time limit, and hands each
/// authenticated <see cref="ControlConnection"/> to the host's handler.
/// </summary>
/// <remarks>Start it with <see cref="Start"/>; <see cref="DisposeAsync"/> stops listening, cancels handlers and waits for them.</remarks>
internal sealed partial class ControlService : IAsyncDisposable
{
    private readonly ControlServiceOptions _options;
    private readonly Func<ControlConnection, CancellationToken, Task> _handler;
    private readonly ILogger _logger;
    private readonly ConnectionAdmission _admission;
    private readonly RejectionSummary _rejections;
    private readonly AuthenticationThrottle _throttle;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private Socket? _listener;
    private System.Net.Security.SslStreamCertificateContext? _serverCertificate;
    private Task? _acceptLoop;

    /// <summary>Creates a stopped service.</summary>
    /// <param name="options">Settings; <see cref="ControlServiceOptions.Identity"/> and <see cref="ControlServiceOptions.Users"/> are required.</param>
    /// <param name="handler">Runs once per authenticated connection; the connection is disposed when it returns. It must observe the token.</param>
    public ControlService(ControlServiceOptions options, Func<ControlConnection, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPendingHandshakes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPendingHandshakesPerAddress, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPendingHandshakesPerPrefix, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxMessageSize, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.UserFailureBurst, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.UserFailureInterval, TimeSpan.Zero);
        _options = options;
        _handler = handler;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("KernelZones.Migration.Control");
        _admission = new ConnectionAdmission(options.MaxPendingHandshakes, options.MaxPendingHandshakesPerAddress, options.MaxPendingHandshakesPerPrefix);
        _rejections = new RejectionSummary(_logger, time: options.TimeProvider);
        _throttle = new AuthenticationThrottle(
            options.AuthenticationFailureDelay, options.MaxAuthenticationFailureDelay, options.UserFailureBurst, options.UserFailureInterval, options.TimeProvider);
    }

    /// <summary>The bound address once started.</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint as IPEndPoint;

    /// <summary>The bound port once started (useful with <see cref="ControlServiceOptions.Port"/> 0).</summary>
    public int Port => LocalEndPoint?.Port ?? 0;

    /// <summary>Binds and starts accepting connections.</summary>
    /// <exception cref="MigrationException">The address cannot be bound (<see cref="MigrationFailureKind.Connection"/>).</exception>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void Start()
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("The control service is already started.");
        }

        var listener = new Socket(_options.ListenAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (_options.ListenAddress.AddressFamily == AddressFamily.InterNetworkV6)
            {
                listener.DualMode = true;
            }

            listener.Bind(new IPEndPoint(_options.ListenAddress, _options.Port));
            listener.Listen(128);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new MigrationException(MigrationFailureKind.Connection, $"cannot listen on {_options.ListenAddress} port {_options.Port}: {e.Message}", e);
        }

        _listener = listener;
        MigrationLog.ControlServiceListening(_logger, listener.LocalEndPoint);
        if (!_options.Users.Accounts.Any())
        {
            MigrationLog.NoUsers(_logger);
        }

        _acceptLoop = AcceptLoopAsync(listener);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        await Task.WhenAll(_connections.Keys).ConfigureAwait(false);
        _rejections.Dispose();
        MigrationLog.ControlServiceStopped(_logger);
        _stopping.Dispose();
    }

    /// <summary>Completes when every connection open at the call has been served and closed.</summary>
    internal Task WhenConnectionsEndedAsync() => Task.WhenAll(_connections.Keys);

    /// <summary>Connections held in their handshake now, at most <see cref="ControlServiceOptions.MaxPendingHandshakes"/>.</summary>
    internal int HandshakesInProgress => _admission.Count;

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
                socket.NoDelay = true; // request and answer, one small message each: never hold one back for Nagle (the client side does the same)
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            if (Admit(socket) is not { } pending)
            {
                socket.Dispose();
                continue;
            }

            Task connection = ServeAsync(socket, pending);
            _connections.TryAdd(connection, true);
            _ = connection.ContinueWith(static (t, state) => ((ConcurrentDictionary<Task, bool>)state!).TryRemove(t, out _), _connections, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Admits <paramref name="socket"/> to the handshake, or counts it as refused; counts the connection shed for it.</summary>
    private ConnectionAdmission.Entry? Admit(Socket socket)
    {
        IPAddress address = (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        ConnectionAdmission.Admission admission = _admission.TryAdmit(address, _stopping.Token);
        if (admission.ShedFrom is { } shed)
        {
            _rejections.Record(ConnectionAdmission.Rejection.Shed, shed);
        }

        if (admission.Refused is { } refused)
        {
            _rejections.Record(refused, ConnectionAdmission.Normalize(address));
        }

        return admission.Entry;
    }
}
