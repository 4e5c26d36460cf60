using KernelZones.Migration.Lifecycle;
using KernelZones.Samples.SenderHost.Guests;

namespace KernelZones.Samples.SenderHost.Commands;

/// <summary>
/// <c>zoneadm -z &lt;zone&gt; boot [--guest sim|kvm] [--workload ...]|halt</c>: records the new state, and at boot the
/// guest chosen. The zone's guest does not outlive this process; <c>migrate</c> boots it (memory and workload) in the
/// migrating process for a zone recorded running.
/// </summary>
internal static class StateCommand
{
    /// <summary>Boots the zone with <paramref name="guest"/>; refuses a KVM guest where KVM is not usable and a workload that does not fit the zone.</summary>
    public static int Boot(ZoneStore store, string zoneName, GuestChoice guest)
    {
        Zone zone = store.Load().Get(zoneName);
        if (zone.Configuration.PhysicalMemory is { } memory)
        {
            WorkloadSpec.Parse(guest.Workload, memory.Bytes);
        }

        if (guest.Kind == GuestKind.Kvm && KvmZoneGuest.UnavailableReason() is { } unusable)
        {
            Console.Error.WriteLine($"zoneadm: zone '{zoneName}': {unusable}");
            return 1;
        }

        zone.Boot();
        store.SaveGuest(zoneName, guest);
        store.Save(zone);
        return 0;
    }

    public static int Halt(ZoneStore store, string zoneName)
    {
        Zone zone = store.Load().Get(zoneName);
        zone.Halt();
        store.Save(zone);
        return 0;
    }
}
