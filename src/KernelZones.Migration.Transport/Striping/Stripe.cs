using System.Net;
using System.Net.Sockets;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Keys;

namespace KernelZones.Migration.Transport.Striping;

/// <summary>
/// One stripe of a transfer: one TCP connection with its own sending thread, which seals records straight from
/// the caller's memory into a pinned send buffer and writes it to the socket, and its own receiving thread, which
/// reads each record into a pinned receive buffer and opens it straight into the memory the sink names.
/// </summary>
/// <remarks>
/// <para>Both threads use the socket only with blocking calls, so the runtime never puts it in its event loop: a thread
/// that has to wait sleeps in the kernel, and the socket's own buffers are the backpressure. Without encryption, large
/// payloads go straight between the caller's or the sink's memory and the socket, with no copy of ours.</para>
/// <para>Records sent on one stripe arrive in order; keep a given position on one stripe (address affinity) to
/// make sure a newer copy is never overtaken by an older one. Members are thread-safe; batches queued with
/// <see cref="SendAsync"/> are sent one after another in the order they were queued.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The owning StripedTransfer releases the keys once both threads of the stripe have ended (ReleaseKeys); callers never own a stripe.")]
public sealed partial class Stripe
{
    internal const byte KeepAliveFlag = 0x80;
    private const int MaxControlPayload = 64 * 1024;

    /// <summary>
    /// Payloads at least this long travel alone: without encryption straight between memory and the socket, and
    /// sealed records are written out once this much is waiting. Smaller records are gathered into one socket write.
    /// </summary>
    private const int LargePayload = 64 * 1024;

    private readonly StripedTransfer _transfer;
    private readonly Socket _socket;
    private readonly RecordSealer _sealer;
    private readonly RecordOpener _opener;
    private readonly IRecordSink _sink;
    private readonly SendQueue _queue = new();
    private readonly SendBuffer _sendBuffer;
    private readonly byte[] _receiveBuffer;
    private readonly byte[] _controlBuffer = new byte[MaxControlPayload];
    private readonly TaskCompletionSource _peerEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _outputEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationToken _aborted;
    private DedicatedThread? _sendThread; // set once by Start
    private DedicatedThread? _receiveThread;
    private int _sealedSinceWrite; // records in the send buffer, counted when it is written
    private long _bytesSent;
    private long _bytesReceived;
    private long _lastReceiveTicks = Environment.TickCount64;
    private long _lastSendTicks = Environment.TickCount64;

    internal Stripe(StripedTransfer transfer, int index, Socket socket, SessionKeySchedule keys, StreamDirection sendDirection, IRecordSink sink, StripeOptions options)
    {
        _transfer = transfer;
        Index = index;
        _socket = socket;
        _sink = sink;
        _aborted = transfer.AbortToken;
        RemoteEndPoint = socket.RemoteEndPoint;
        var receiveDirection = sendDirection == StreamDirection.SourceToDestination ? StreamDirection.DestinationToSource : StreamDirection.SourceToDestination;
        _sealer = new RecordSealer(keys.CreateStreamKeys(index, sendDirection, transfer.CipherName), options.Records);
        _opener = new RecordOpener(keys.CreateStreamKeys(index, receiveDirection, transfer.CipherName), options.Records);

        // One maximum-size record each way, pinned and reused: every record is sealed into and opened from one
        // contiguous block, and the steady state allocates nothing.
        int maxRecordLength = options.Records.MaxRecordLength;
        _sendBuffer = new SendBuffer(Math.Max(maxRecordLength, LargePayload));
        _receiveBuffer = GC.AllocateUninitializedArray<byte>(maxRecordLength, pinned: true);
    }

    /// <summary>The stripe's index, 0 to the stripe count − 1.</summary>
    public int Index { get; }

    /// <summary>The peer's address and port.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>Bytes this stripe has written to its socket, records and overhead included.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes this stripe has read from its socket.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>The stripe's socket descriptor (for tests: whether it blocks and what watches it).</summary>
    internal SafeSocketHandle SocketHandle => _socket.SafeHandle;

    /// <summary>Whether every record so far was opened in place, straight from the receive buffer (for tests).</summary>
    internal bool OpenedEveryRecordInPlace => !_opener.HasCopiedRecords;

    /// <summary>Whether either of the stripe's threads is still alive (for diagnostics and tests).</summary>
    internal bool HasLiveThreads => (_sendThread?.IsAlive ?? false) || (_receiveThread?.IsAlive ?? false);

    internal Task PeerEnded => _peerEnded.Task;

    internal Task OutputEnded => _outputEnded.Task;

    /// <summary>Completes when both threads have ended.</summary>
    internal Task Loops => _sendThread is null || _receiveThread is null ? Task.CompletedTask : Task.WhenAll(_sendThread.Completion, _receiveThread.Completion);

    internal void Start()
    {
        _sendThread = DedicatedThread.Start($"kz-migr send {Index}", SendLoop);
        _receiveThread = DedicatedThread.Start($"kz-migr receive {Index}", ReceiveLoop);
    }

    /// <summary>
    /// Tears the connection down at once (RST), so that the peer sees the abort without waiting; closing the socket
    /// also ends whatever blocking call either thread is in.
    /// </summary>
    internal void Kill()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        _socket.Dispose();
        _queue.Close(Failure("the transfer was aborted", null));
        _peerEnded.TrySetCanceled(_aborted);
        _outputEnded.TrySetCanceled(_aborted);
    }

    internal void ReleaseKeys()
    {
        _sealer.Dispose();
        _opener.Dispose();
    }

    /// <summary>Milliseconds since this stripe last received and last sent anything, for the transfer's watchdog.</summary>
    internal (long SinceReceive, long SinceSend) Idle()
    {
        long now = Environment.TickCount64;
        return (now - Interlocked.Read(ref _lastReceiveTicks), now - Interlocked.Read(ref _lastSendTicks));
    }

    // First reason wins: once the transfer is aborted, this stripe's own error (a socket the abort closed) is a
    // consequence, and every pending call must report the first reason instead.
    private TransportException Failure(string what, Exception? cause) =>
        _transfer.AbortReason ?? new TransportException($"Stripe {Index} ({RemoteEndPoint}): {what}", cause);
}
