using KernelZones.Migration.Configuration;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation;

namespace KernelZones.Samples.SenderHost.Guests;

/// <summary>
/// A simulated guest (<c>--guest sim</c>): memory of the configuration's <c>capped-memory physical</c>, half of it
/// holding data, and a workload dirtying it.
/// </summary>
internal sealed class SimulatedGuest : IZoneGuest
{
    private readonly InMemoryGuest _guest;

    private SimulatedGuest(InMemoryGuest guest, ZoneConfiguration configuration)
    {
        _guest = guest;
        Configuration = configuration;
    }

    public IGuest Guest => _guest;

    public ZoneConfiguration Configuration { get; }

    public static SimulatedGuest Boot(ZoneConfiguration configuration, long memory, WorkloadSpec? workload)
    {
        var guest = new InMemoryGuest(memory);
        guest.FillRandom(0, memory / 2, seed: configuration.ZoneName.Aggregate(17, (hash, c) => unchecked((hash * 31) + c)));
        if (workload is not null)
        {
            // The workload runs until the guest is disposed: it stops when the guest's memory goes away.
            new GuestWorkload(guest, workload.ForSimulatedGuest()).Start();
        }

        return new SimulatedGuest(guest, configuration);
    }

    public ValueTask DisposeAsync()
    {
        _guest.Dispose();
        return ValueTask.CompletedTask;
    }
}
