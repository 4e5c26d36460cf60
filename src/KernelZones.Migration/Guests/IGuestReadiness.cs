namespace KernelZones.Migration.Guests;

/// <summary>
/// A guest that can show that it runs: a sign of life of its own after its vCPUs resume (a heartbeat on its console,
/// a service that answers), or a sign that it cannot (a fault, its own report of corrupt memory).
/// </summary>
/// <remarks>
/// <para>An optional capability of an <see cref="IGuest"/>. The destination of a migration resumes a guest that
/// implements it right after restoring its device state, before it answers the source's switchover, and waits for
/// <see cref="WaitUntilRunningAsync"/> for at most the destination's readiness timeout (<c>MigrationDestinationOptions.ReadinessTimeout</c>):
/// a guest that faults, reports a failure or stays silent fails the switchover before the commit; the destination
/// destroys its copy before it answers, and the source resumes the zone. The zone's downtime then ends when the
/// destination's vCPUs start, and after the commit the guest simply runs on. A guest without this capability is
/// resumed only after the commit. A started guest that does not hear the commit within the bound the destination
/// announced to the source is suspended (<see cref="IVirtualCpus.SuspendAsync"/>) until the commit resumes it or a
/// failure destroys it, so that a source that cannot reach the destination may resume the zone after that bound.</para>
/// <para>Thread-safety: may be called from any thread, concurrently with the vCPUs running.</para>
/// </remarks>
public interface IGuestReadiness
{
    /// <summary>
    /// Completes at the guest's first sign of life after its vCPUs last resumed (or after it started, if they were
    /// never suspended); at once when that sign was already given.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait; the guest is not affected.</param>
    /// <returns>A task that completes when the guest runs, and faults with the reason when it shows it cannot (it
    /// faulted, stopped, or reported a failure of its own).</returns>
    Task WaitUntilRunningAsync(CancellationToken cancellationToken);
}
