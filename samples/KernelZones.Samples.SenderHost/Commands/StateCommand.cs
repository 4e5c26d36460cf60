using KernelZones.Migration.Lifecycle;

namespace KernelZones.Samples.SenderHost.Commands;

/// <summary>
/// <c>zoneadm -z &lt;zone&gt; boot|halt</c>: records the new state. The zone's simulated guest does not outlive this
/// process; <c>migrate</c> boots it (memory and workload) in the migrating process for a zone recorded running.
/// </summary>
internal static class StateCommand
{
    public static int Boot(ZoneStore store, string zoneName) => Apply(store, zoneName, zone => zone.Boot());

    public static int Halt(ZoneStore store, string zoneName) => Apply(store, zoneName, zone => zone.Halt());

    private static int Apply(ZoneStore store, string zoneName, Action<Zone> operation)
    {
        Zone zone = store.Load().Get(zoneName);
        operation(zone);
        store.Save(zone);
        return 0;
    }
}
