using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Keys;

namespace KernelZones.Migration.Transport.Striping;

/// <summary>
/// One stripe of a transfer: one TCP connection with a sending loop that seals records straight from the
/// caller's memory into the socket's pipe, and a receiving loop that opens records straight from the pipe
/// into the memory the sink names.
/// </summary>
/// <remarks>
/// Records sent on one stripe arrive in order; keep a given position on one stripe (address affinity) to
/// make sure a newer copy is never overtaken by an older one. Members are thread-safe; batches queued with
/// <see cref="SendAsync"/> are sent one after another in the order they were queued.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The owning StripedTransfer releases the keys once every loop of the stripe has ended (ReleaseKeys); callers never own a stripe.")]
public sealed partial class Stripe
{
    internal const byte KeepAliveFlag = 0x80;
    private const int MaxControlPayload = 64 * 1024;

    private readonly StripedTransfer _transfer;
    private readonly Socket _socket;
    private readonly Pipe _output;
    private readonly Pipe _input;
    private readonly RecordSealer _sealer;
    private readonly RecordOpener _opener;
    private readonly IRecordSink _sink;
    private readonly Channel<SendRequest> _requests = Channel.CreateUnbounded<SendRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _peerEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _outputEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _controlBuffer = new byte[MaxControlPayload];
    private readonly byte[] _receivedHeader = new byte[RecordHeader.Size];
    private readonly RecordBlockPool _blocks;
    private readonly int _maxRecordLength;
    private readonly int _tagSize;
    private readonly LoopThread? _sendThread;
    private readonly LoopThread? _receiveThread;
    private readonly CancellationToken _aborted;
    private Task _loops = Task.CompletedTask; // set once by Start
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

        if (options.Scheduling == StripeScheduling.DedicatedThreads)
        {
            // One thread per direction, as in the seed: the sending thread seals into the output pipe and writes it to
            // the socket; the receiving thread reads the socket into the input pipe and opens what it read. The socket
            // becomes a plain blocking socket outside the runtime's epoll set, so a thread that must wait sleeps in the
            // kernel and is woken by it: no readiness event, no hand-off to another thread per record.
            _sendThread = new LoopThread($"kz-migr send {index}", SealLoopAsync);
            _receiveThread = new LoopThread($"kz-migr receive {index}", SocketReceiveLoopAsync);
            BlockingSocket.TryMakeBlocking(socket);
        }

        _maxRecordLength = options.Records.MaxRecordLength;
        _tagSize = Ciphers.CipherSuite.GetTagSize(transfer.CipherName);
        _blocks = new RecordBlockPool(_maxRecordLength);
        long threshold = (long)Math.Max(2, options.PipeThresholdRecords) * _maxRecordLength;

        // On dedicated threads each pipe's reader and writer are the same thread, which drains the pipe after every
        // flush; the pipe is the stripe's bounded buffer and the socket's blocking calls are its backpressure. On the
        // thread pool, socket loops beside the crypto loops read and write the pipes, which pause them at the thresholds.
        _output = new Pipe(new PipeOptions(
            pool: _blocks, minimumSegmentSize: _maxRecordLength,
            pauseWriterThreshold: threshold, resumeWriterThreshold: threshold / 2,
            readerScheduler: _sendThread?.Scheduler ?? PipeScheduler.ThreadPool, writerScheduler: _sendThread?.Scheduler ?? PipeScheduler.ThreadPool,
            useSynchronizationContext: false));
        _input = new Pipe(new PipeOptions(
            pool: _blocks, minimumSegmentSize: _maxRecordLength,
            pauseWriterThreshold: threshold, resumeWriterThreshold: threshold / 2,
            readerScheduler: _receiveThread?.Scheduler ?? PipeScheduler.ThreadPool, writerScheduler: _receiveThread?.Scheduler ?? PipeScheduler.ThreadPool,
            useSynchronizationContext: false));
    }

    /// <summary>The stripe's index, 0 to the stripe count − 1.</summary>
    public int Index { get; }

    /// <summary>The peer's address and port.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>Bytes this stripe has written to its socket, records and overhead included.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes this stripe has read from its socket.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Blocks of one maximum-size record this stripe's pool has allocated (for tests: bounded by the pipe thresholds).</summary>
    internal int BlocksAllocated => _blocks.BlocksAllocated;

    /// <summary>The stripe's socket descriptor (for tests: whether it blocks and what watches it).</summary>
    internal SafeSocketHandle SocketHandle => _socket.SafeHandle;

    /// <summary>Whether every record so far was opened in place, straight from its block (for tests).</summary>
    internal bool OpenedEveryRecordInPlace => !_opener.HasCopiedRecords;

    /// <summary>Whether the stripe's data paths run on dedicated threads that are still alive (for diagnostics and tests).</summary>
    internal bool HasLiveThreads => (_sendThread?.IsAlive ?? false) || (_receiveThread?.IsAlive ?? false);

    internal Task PeerEnded => _peerEnded.Task;

    internal Task OutputEnded => _outputEnded.Task;

    internal Task Loops => _loops;

    /// <summary>Whether this stripe's threads do their own socket I/O (dedicated threads) rather than socket loops on the pool.</summary>
    private bool Dedicated => _sendThread is not null;

    internal void Start()
    {
        if (_sendThread is not null && _receiveThread is not null)
        {
            _sendThread.Start();
            _receiveThread.Start();
            _loops = Task.WhenAll(_sendThread.Completion, _receiveThread.Completion);
            return;
        }

        _loops = Task.WhenAll(SocketSendLoopAsync(), SocketReceiveLoopAsync(), Task.Run(SealLoopAsync), Task.Run(OpenLoopAsync));
    }

    /// <summary>Tears the connection down at once (RST), so that the peer sees the abort without waiting.</summary>
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
        _requests.Writer.TryComplete();
        _peerEnded.TrySetCanceled(_aborted);
        _outputEnded.TrySetCanceled(_aborted);
    }

    internal void ReleaseKeys()
    {
        _sealer.Dispose();
        _opener.Dispose();
        _blocks.Dispose();
    }

    /// <summary>Milliseconds since this stripe last received and last sent anything, for the transfer's watchdog.</summary>
    internal (long SinceReceive, long SinceSend) Idle()
    {
        long now = Environment.TickCount64;
        return (now - Interlocked.Read(ref _lastReceiveTicks), now - Interlocked.Read(ref _lastSendTicks));
    }

    // First reason wins: once the transfer is aborted, this stripe's own error (a cancelled wait, a socket the abort
    // disposed) is a consequence, and every pending call must report the first reason instead.
    private TransportException Failure(string what, Exception? cause) =>
        _transfer.AbortReason ?? new TransportException($"Stripe {Index} ({RemoteEndPoint}): {what}", cause);
}
