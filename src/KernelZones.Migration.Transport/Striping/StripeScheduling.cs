namespace KernelZones.Migration.Transport.Striping;

/// <summary>Where a stripe's sending (sealing) and receiving (opening) loops run.</summary>
/// <remarks>
/// Measured with the transport benchmark on a 2-core machine against the in-run direct baseline (2 stripes, 2 GiB):
/// the two modes could not be told apart (medians 0.83–0.91 for gcm with either; both show runs that need up to twice
/// the CPU for the same bytes). <see cref="DedicatedThreads"/> stays the default because it keeps a stripe's crypto
/// off the shared pool, as the seed describes. Opening each record inline on the thread whose socket read completed it
/// measured 0.97–0.98, but left one fault-injection case (a duplicated control record during round 0) hanging in one
/// run of three, so it is not offered until that is understood.
/// </remarks>
public enum StripeScheduling
{
    /// <summary>
    /// The default: each stripe has its own sending thread and receiving thread, as the seed describes; continuations
    /// of their awaits come back to those threads.
    /// </summary>
    DedicatedThreads = 0,

    /// <summary>The loops run on the shared thread pool.</summary>
    ThreadPool = 1,
}
