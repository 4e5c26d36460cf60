namespace KernelZones.Migration.Transport.Striping;

/// <summary>Where a stripe's sending and receiving loops run, and who does its socket I/O.</summary>
/// <remarks>
/// <para>Measured with the transport benchmark on a 2-core machine against the in-run direct baseline (2 stripes,
/// 3-run medians after a warm-up): <see cref="DedicatedThreads"/> 0.96–1.02 (ccm), 0.98–1.07 (gcm) and 1.07–1.20
/// (none, whose large payloads go straight between memory and socket in this mode) over three 4 GiB sets each,
/// allocating nothing per record; <see cref="ThreadPool"/> 0.93, 0.98 and 1.06 at 2 GiB with 4–18 KiB per GiB.
/// Single runs of either spread by ±0.15.</para>
/// <para>Two costs decided the design of the dedicated mode. Handing every record between a crypto thread and a
/// socket loop on the pool costs a wake-up on each side, which on a virtual machine is an interrupt between CPUs:
/// some runs needed up to twice the CPU. And a socket left in the runtime's epoll set wakes its event thread for
/// every segment although no operation waits: 6 times the context switches of plain blocking sockets and about
/// 7 % more CPU, which made gcm at 2 stripes 0.81–0.96 of the baseline. A dedicated stripe therefore owns a plain
/// blocking socket that no event loop watches (on Linux; elsewhere the runtime's emulated blocking calls remain).</para>
/// <para><see cref="DedicatedThreads"/> is the default: it is as fast or faster, allocates nothing per record,
/// keeps a stripe's crypto and copies off the shared pool, and is what the seed describes.</para>
/// </remarks>
public enum StripeScheduling
{
    /// <summary>
    /// The default: each stripe has its own sending thread, which seals records into the output pipe and writes
    /// them to the socket, and its own receiving thread, which reads the socket into the input pipe and opens what
    /// it read. The socket is a plain blocking socket, outside the runtime's event loop, so a thread that has to wait
    /// sleeps in the kernel and nothing else wakes for its traffic, and the socket's
    /// own buffers are the backpressure: each pipe holds at most what one flush sealed or one record received.
    /// </summary>
    DedicatedThreads = 0,

    /// <summary>
    /// Four loops per stripe on the shared thread pool: sealing and opening loops, and asynchronous socket loops
    /// beside them that the pipes connect, pausing a loop at the pipe's threshold.
    /// </summary>
    ThreadPool = 1,
}
