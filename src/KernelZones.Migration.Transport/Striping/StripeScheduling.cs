namespace KernelZones.Migration.Transport.Striping;

/// <summary>Where a stripe's sending and receiving loops run, and who does its socket I/O.</summary>
/// <remarks>
/// <para>Measured with the transport benchmark on a 2-core machine against the in-run direct baseline (2 stripes,
/// 2 GiB, 3-run medians after a warm-up): <see cref="DedicatedThreads"/> 0.95 (ccm), 0.81–0.96 (gcm, over eight
/// sets) and 1.21 (none, whose large payloads go straight between memory and socket in this mode) with at most a
/// few KiB per GiB allocated; <see cref="ThreadPool"/> 0.93, 0.82 and 1.01 with 5–11 KiB per GiB. Single runs of
/// either spread by ±0.15. Before the dedicated threads did their own socket I/O (socket loops on the pool beside
/// them), some runs needed up to twice the CPU for the same bytes: handing every record between two threads costs
/// a wake-up on each side, which on a virtual machine is an interrupt between CPUs.</para>
/// <para><see cref="DedicatedThreads"/> is the default: it is as fast or faster for the encrypting ciphers, allocates
/// nothing per record, keeps a stripe's crypto and copies off the shared pool, and is what the seed describes.</para>
/// </remarks>
public enum StripeScheduling
{
    /// <summary>
    /// The default: each stripe has its own sending thread, which seals records into the output pipe and writes
    /// them to the socket, and its own receiving thread, which reads the socket into the input pipe and opens what
    /// it read. The socket is in blocking mode, so a thread that has to wait sleeps in the kernel, and the socket's
    /// own buffers are the backpressure: each pipe holds at most what one flush sealed or one record received.
    /// </summary>
    DedicatedThreads = 0,

    /// <summary>
    /// Four loops per stripe on the shared thread pool: sealing and opening loops, and asynchronous socket loops
    /// beside them that the pipes connect, pausing a loop at the pipe's threshold.
    /// </summary>
    ThreadPool = 1,
}
