namespace KernelZones.Migration.Transport.Striping;

/// <summary>Where a stripe's sending (sealing) and receiving (opening) loops run.</summary>
public enum StripeScheduling
{
    /// <summary>Each stripe has its own sending thread and receiving thread, as the seed describes; continuations of their awaits come back to those threads.</summary>
    DedicatedThreads = 0,

    /// <summary>The loops run on the shared thread pool.</summary>
    ThreadPool = 1,
}
