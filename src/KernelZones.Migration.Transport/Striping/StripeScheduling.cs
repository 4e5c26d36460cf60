namespace KernelZones.Migration.Transport.Striping;

/// <summary>Where a stripe's sending (sealing) and receiving (opening) loops run.</summary>
/// <remarks>
/// Measured with the transport benchmark on a 2-core machine against the in-run direct baseline (2 stripes, 2 GiB,
/// medians of 5 runs): <see cref="ThreadPool"/> 0.97 (gcm), 0.98 (ccm), 0.97 (none); <see cref="DedicatedThreads"/>
/// 0.83–0.91 (gcm), because every record then crosses from the socket's completion thread to the stripe's receiving
/// thread. <see cref="ThreadPool"/> is therefore the default. Both modes also show runs that need up to twice the CPU
/// for the same bytes (cause not yet found), so single runs vary far more than these medians.
/// </remarks>
public enum StripeScheduling
{
    /// <summary>
    /// Each stripe has its own sending thread and receiving thread, as the seed describes; continuations of their awaits
    /// come back to those threads. Isolates a stripe's crypto from the rest of the process, at the cost of a thread hop per record.
    /// </summary>
    DedicatedThreads = 0,

    /// <summary>
    /// The default. Sealing runs on the thread pool; each record is opened on the thread that received it, straight
    /// after the socket read that completed it, so that receiving and opening a record take no thread hop.
    /// </summary>
    ThreadPool = 1,
}
