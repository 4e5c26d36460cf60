using KernelZones.Migration.Transport.Framing;
using Microsoft.Extensions.Logging;

namespace KernelZones.Migration.Transport.Striping;

/// <summary>Settings of striped transfers, for both the listening and the connecting end.</summary>
/// <remarks>
/// Memory per stripe is bounded by the pipes' thresholds. Each stripe has its own pool of pinned blocks of one
/// maximum-size record (<see cref="RecordOptions.MaxRecordLength"/>); every record is sealed into, received into
/// and opened from one block, never copied. Each direction buffers at most <see cref="PipeThresholdRecords"/>
/// records' worth of bytes before its writer pauses, which with full-size records is
/// <see cref="PipeThresholdRecords"/> + 1 blocks (about 1.3 MiB per direction at the defaults) and, with records
/// of mixed sizes, never more than 2 × (<see cref="PipeThresholdRecords"/> + 1) blocks; with the default
/// <see cref="StripeScheduling.DedicatedThreads"/> a pipe is drained by the thread that filled it after every flush,
/// so it holds one or two blocks. Blocks are allocated once and reused, so a stripe's steady state allocates
/// nothing. Immutable after construction; thread-safe.
/// </remarks>
public sealed class StripeOptions
{
    /// <summary>The default data port: 8102 (<c>kz-migr</c>).</summary>
    public const int DefaultPort = 8102;

    /// <summary>The options with every default.</summary>
    public static StripeOptions Default { get; } = new();

    /// <summary>Record limits; both ends must agree. Default <see cref="RecordOptions.Default"/> (256 KiB payloads).</summary>
    public RecordOptions Records { get; init; } = RecordOptions.Default;

    /// <summary>Time allowed for a stripe's TCP connect plus handshake. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time a listener waits for a new connection's handshake before dropping it. Default 5 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A stripe that receives nothing from its peer for this long aborts the transfer. Idle stripes send an
    /// authenticated keep-alive record every third of it. Default 30 s.
    /// </summary>
    public TimeSpan PeerTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Connections a listener lets sit in the handshake at once. When that many are waiting, a new connection closes the
    /// oldest one whose 76-byte hello has not fully arrived (a real stripe sends it at once); when every one has sent its
    /// hello, the new connection is closed. Each one closed is counted in <see cref="StripeListener.RejectedConnections"/>. Default 128.
    /// </summary>
    public int MaxPendingHandshakes { get; init; } = 128;

    /// <summary>Maximum-size records each pipe buffers before its writer pauses (backpressure). Default 4; at least 2.</summary>
    public int PipeThresholdRecords { get; init; } = 4;

    /// <summary>Where the data paths run their encryption, decryption and socket I/O. Default <see cref="StripeScheduling.DedicatedThreads"/> (see <see cref="StripeScheduling"/> for the measurements).</summary>
    public StripeScheduling Scheduling { get; init; } = StripeScheduling.DedicatedThreads;

    /// <summary>Loggers for connection events and failures; <see langword="null"/> logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
