using KernelZones.Migration.Control.Internal;
using MessagePack;

namespace KernelZones.Migration.Negotiation;

/// <summary>
/// What a zone needs from a host to resume there: the inputs of the compatibility check, independent
/// of the zone configuration model.
/// </summary>
/// <param name="ZoneName">The zone name.</param>
/// <param name="Brand">The zone brand, <c>solaris-kz</c> for kernel zones.</param>
/// <param name="MemoryBytes">The zone's <c>capped-memory:physical</c>, in bytes.</param>
/// <param name="PagesizePolicy">The <c>capped-memory:pagesize-policy</c>, e.g. <c>largest-available</c>; empty when unset.</param>
/// <param name="VirtualCpuCount">The zone's <c>virtual-cpu:ncpus</c>.</param>
/// <param name="CpuArch">The <c>cpu-arch</c> migration class; empty when unset (same class as the host).</param>
/// <param name="HostCompatibleLevels">The <c>host-compatible</c> levels, e.g. <c>level1</c>, <c>memlzr</c>; empty when unset.</param>
/// <param name="Storage">Every storage URI the zone uses.</param>
internal sealed record ZoneRequirements(
    string ZoneName,
    string Brand,
    long MemoryBytes,
    string PagesizePolicy,
    int VirtualCpuCount,
    string CpuArch,
    IReadOnlyList<string> HostCompatibleLevels,
    IReadOnlyList<StorageRequirement> Storage)
{
    internal void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(8);
        writer.Write(ZoneName);
        writer.Write(Brand);
        writer.Write(MemoryBytes);
        writer.Write(PagesizePolicy);
        writer.Write(VirtualCpuCount);
        writer.Write(CpuArch);
        MessageFieldWriter.WriteStringList(ref writer, HostCompatibleLevels);
        writer.WriteArrayHeader(Storage.Count);
        foreach (StorageRequirement storage in Storage)
        {
            writer.WriteArrayHeader(2);
            writer.Write(storage.Uri);
            writer.Write(storage.IsShared);
        }
    }

    internal static ZoneRequirements Read(ref MessagePackReader reader)
    {
        var fields = new MessageFieldReader(ref reader, nameof(ZoneRequirements), reader.ReadArrayHeader(), 8);
        string zoneName = fields.ReadString(64);
        string brand = fields.ReadString(64);
        long memory = fields.ReadInt64();
        string policy = fields.ReadString(64);
        int cpus = fields.ReadInt32();
        string arch = fields.ReadString(64);
        IReadOnlyList<string> levels = fields.ReadStringList();
        int count = fields.ReadListHeader();
        var storage = new StorageRequirement[count];
        for (int i = 0; i < count; i++)
        {
            var entry = new MessageFieldReader(ref fields.Inner, "StorageRequirement", fields.Inner.ReadArrayHeader(), 2);
            storage[i] = new StorageRequirement(entry.ReadString(4096), entry.ReadBoolean());
            fields.Inner = entry.Finish();
        }

        reader = fields.Finish();
        return new ZoneRequirements(zoneName, brand, memory, policy, cpus, arch, levels, storage);
    }
}
