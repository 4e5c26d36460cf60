namespace KernelZones.Migration.Guests;

/// <summary>
/// Guest memory backed by RAM in the background after it is created (the simulated guest's memory with
/// <c>populate: true</c>): the destination waits for <see cref="Populated"/> before it lets the first page arrive.
/// </summary>
internal interface IBackgroundPopulation
{
    /// <summary>Completes when every page is backed; is canceled when the population was stopped (the memory was disposed).</summary>
    Task Populated { get; }
}
