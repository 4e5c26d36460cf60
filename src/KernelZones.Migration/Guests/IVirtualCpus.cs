namespace KernelZones.Migration.Guests;

/// <summary>Control of a guest's virtual CPUs: stop and restart guest execution.</summary>
/// <remarks>Thread-safety: all members may be called from any thread; calls to
/// <see cref="SuspendAsync"/> and <see cref="ResumeAsync"/> are not made concurrently with each other.</remarks>
public interface IVirtualCpus
{
    /// <summary>Whether the vCPUs are suspended (from the completion of <see cref="SuspendAsync"/> until <see cref="ResumeAsync"/>).</summary>
    bool IsSuspended { get; }

    /// <summary>
    /// Stops every vCPU. When the returned task completes, no guest write is in flight and none happens
    /// until <see cref="ResumeAsync"/>, so memory and device state are frozen. Suspending a suspended guest does nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait; the vCPUs then keep running and <see cref="IsSuspended"/> stays false.</param>
    ValueTask SuspendAsync(CancellationToken cancellationToken);

    /// <summary>Lets the vCPUs run again. Resuming a running guest does nothing.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask ResumeAsync(CancellationToken cancellationToken);
}
