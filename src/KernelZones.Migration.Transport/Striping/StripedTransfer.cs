using System.Net.Sockets;
using KernelZones.Migration.Transport.Keys;
using Microsoft.Extensions.Logging;

namespace KernelZones.Migration.Transport.Striping;

/// <summary>
/// One transfer over N stripes, as seen from either end. Data flows both ways: bulk records from the
/// source, small control records back from the destination.
/// </summary>
/// <remarks>
/// <para>A clean end is <see cref="CompleteAsync"/> on both ends: every stripe sends its authenticated
/// end-of-stream record and receives the peer's. Anything else — a socket error, a record that fails
/// authentication or sequencing, a silent peer, a sink that throws, a cancellation, <see cref="Abort"/> — aborts
/// every stripe with the first reason, which <see cref="Completion"/> and every pending call then report.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class StripedTransfer : IAsyncDisposable
{
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stripe?[] _stripes;
    private readonly TaskCompletionSource _allConnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StripeOptions _options;
    private readonly ILogger _logger;
    private readonly StreamDirection _sendDirection;
    private readonly IRecordSink _sink;
    private readonly Action<StripedTransfer>? _onDisposed;
    private SessionKeySchedule? _keys;
    private Timer? _watchdog;
    private TransportException? _abortReason;
    private int _connected;
    private int _disposed;

    internal StripedTransfer(TransferDescriptor descriptor, StreamDirection sendDirection, IRecordSink sink, StripeOptions options, Action<StripedTransfer>? onDisposed = null)
    {
        MigrationId = descriptor.MigrationId;
        CipherName = descriptor.CipherName;
        _stripes = new Stripe?[descriptor.StripeCount];
        _sendDirection = sendDirection;
        _sink = sink;
        _options = options;
        _onDisposed = onDisposed;
        _logger = TransportLog.CreateLogger(options.LoggerFactory);
        _keys = descriptor.CreateKeySchedule();
        HandshakeKey = new byte[32];
        _keys.DeriveHandshakeKey(HandshakeKey);
    }

    /// <summary>The migration id.</summary>
    public Guid MigrationId { get; }

    /// <summary>The cipher every stripe uses.</summary>
    public string CipherName { get; }

    /// <summary>The number of stripes.</summary>
    public int StripeCount => _stripes.Length;

    /// <summary>The stripes, by index. Complete once <see cref="WaitForStripesAsync"/> has returned (always, on the connecting end).</summary>
    public IReadOnlyList<Stripe> Stripes => _stripes.Select(s => s ?? throw new InvalidOperationException("Not every stripe has connected yet.")).ToArray();

    /// <summary>Completes when every stripe has ended cleanly in both directions; faults with the first reason on abort.</summary>
    public Task Completion => _completion.Task;

    /// <summary>The first reason the transfer was aborted, or <see langword="null"/>.</summary>
    public TransportException? AbortReason => Volatile.Read(ref _abortReason);

    /// <summary>Bytes written to the sockets by every stripe.</summary>
    public long BytesSent => _stripes.Sum(s => s?.BytesSent ?? 0);

    /// <summary>Bytes read from the sockets by every stripe.</summary>
    public long BytesReceived => _stripes.Sum(s => s?.BytesReceived ?? 0);

    internal byte[] HandshakeKey { get; }

    internal CancellationToken AbortToken => _abort.Token;

    /// <summary>Waits until every stripe has connected and passed its handshake (listening end).</summary>
    /// <param name="cancellationToken">Cancels the wait and aborts the transfer.</param>
    /// <exception cref="TransportException">The transfer was aborted before every stripe arrived.</exception>
    public async Task WaitForStripesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _allConnected.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            Abort(new TransportException($"Transfer {MigrationId} was cancelled while waiting for its stripes ({Volatile.Read(ref _connected)} of {StripeCount} connected).", ex));
            throw AbortReason!;
        }
    }

    /// <summary>
    /// Ends this end's direction on every stripe (after everything queued) and waits for the peer's end on
    /// every stripe: the transfer then completed cleanly.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait and aborts the transfer.</param>
    /// <exception cref="TransportException">The transfer was aborted.</exception>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        await WaitForStripesAsync(cancellationToken).ConfigureAwait(false);
        var stripes = Stripes;
        try
        {
            await Task.WhenAll(stripes.Select(s => s.SendEndOfStreamAsync())).WaitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(stripes.SelectMany(s => new[] { s.OutputEnded, s.PeerEnded })).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not TransportException)
        {
            Abort(new TransportException($"Transfer {MigrationId} did not complete: {ex.Message}", ex));
        }

        ThrowIfAborted();
        _completion.TrySetResult();
    }

    /// <summary>Aborts the transfer on every stripe. The first reason wins; later calls do nothing.</summary>
    /// <param name="reason">Why; reported by <see cref="Completion"/> and every pending call.</param>
    public void Abort(Exception reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var failure = reason as TransportException ?? new TransportException($"Transfer {MigrationId} aborted: {reason.Message}", reason);
        if (Interlocked.CompareExchange(ref _abortReason, failure, null) is not null)
        {
            return;
        }

        TransportLog.TransferAborted(_logger, MigrationId, failure.Message);
        _completion.TrySetException(failure);
        _allConnected.TrySetException(failure);
        _abort.Cancel();
        foreach (var stripe in _stripes)
        {
            stripe?.Kill();
        }
    }

    /// <summary>Aborts the transfer if it has not completed, then waits for every loop and thread to end and releases sockets and keys.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_completion.Task.IsCompletedSuccessfully)
        {
            Abort(new TransportException($"Transfer {MigrationId} was disposed before it completed."));
        }

        _watchdog?.Dispose();
        foreach (var stripe in _stripes)
        {
            if (stripe is not null)
            {
                stripe.Kill();
                await stripe.Loops.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                stripe.ReleaseKeys();
            }
        }

        _onDisposed?.Invoke(this);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(HandshakeKey);
        ReleaseSchedule();
        _abort.Dispose();
    }

    internal bool HasLiveThreads => _stripes.Any(s => s?.HasLiveThreads ?? false);

    internal void ThrowIfAborted()
    {
        if (AbortReason is { } reason)
        {
            throw reason;
        }
    }

    /// <summary>Adds a connected, authenticated socket as stripe <paramref name="index"/>; false if that stripe is already taken.</summary>
    internal bool TryAttach(int index, Socket socket)
    {
        Stripe stripe;
        lock (_stripes)
        {
            if (_stripes[index] is not null || AbortReason is not null || _keys is null)
            {
                return false;
            }

            stripe = new Stripe(this, index, socket, _keys, _sendDirection, _sink, _options);
            _stripes[index] = stripe;
            stripe.Start();
        }

        // Not socket.RemoteEndPoint: a stripe whose peer fails at once has already been killed and its socket disposed.
        TransportLog.StripeConnected(_logger, MigrationId, index, stripe.RemoteEndPoint?.ToString());
        if (Interlocked.Increment(ref _connected) == _stripes.Length)
        {
            ReleaseSchedule();
            StartWatchdog();
            _allConnected.TrySetResult();
        }

        return true;
    }

    internal bool IsStripeTaken(int index)
    {
        lock (_stripes)
        {
            return _stripes[index] is not null;
        }
    }

    private void ReleaseSchedule()
    {
        lock (_stripes)
        {
            _keys?.Dispose();
            _keys = null;
        }
    }

    private void StartWatchdog()
    {
        var period = _options.PeerTimeout / 3;
        _watchdog = new Timer(static s => ((StripedTransfer)s!).Watch(), this, period, period);
    }

    private void Watch()
    {
        long timeout = (long)_options.PeerTimeout.TotalMilliseconds;
        foreach (var stripe in _stripes)
        {
            if (stripe is null || stripe.PeerEnded.IsCompleted && stripe.OutputEnded.IsCompleted)
            {
                continue;
            }

            var (sinceReceive, sinceSend) = stripe.Idle();
            if (sinceReceive > timeout && !stripe.PeerEnded.IsCompleted)
            {
                Abort(new TransportException($"Stripe {stripe.Index} ({stripe.RemoteEndPoint}): no data from the peer for {sinceReceive / 1000.0:0.#} s (peer timeout {_options.PeerTimeout.TotalSeconds:0.#} s).", new TimeoutException()));
                return;
            }

            if (sinceSend > timeout / 3 && !stripe.OutputEnded.IsCompleted)
            {
                stripe.SendKeepAlive();
            }
        }
    }
}
