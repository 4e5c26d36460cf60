using KernelZones.Migration.Transport.Framing;
using Microsoft.Extensions.Logging;

namespace KernelZones.Migration.Transport.Striping;

/// <summary>Settings of striped transfers, for both the listening and the connecting end.</summary>
/// <remarks>
/// Memory per stripe is fixed: a pinned send buffer and a pinned receive buffer of one maximum-size record each
/// (<see cref="RecordOptions.MaxRecordLength"/>, about 256 KiB at the defaults), allocated once, so a stripe's
/// steady state allocates nothing. Every record is sealed into and opened from one contiguous buffer, never copied;
/// beyond that, the kernel's socket buffers hold what is in flight and are the backpressure: a sending thread whose
/// socket is full sleeps in its send. Immutable after construction; thread-safe.
/// </remarks>
public sealed record StripeOptions
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

    /// <summary>
    /// Loggers for connection events and failures (a data connection rejected, a transfer aborted). Default
    /// <see langword="null"/>: used on its own, the transport then logs nothing; inside a migration, the engine's
    /// logger factory (of its control options) is used.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
