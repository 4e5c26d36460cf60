using KernelZones.Migration.Control.Internal;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Negotiation;
using MessagePack;

namespace KernelZones.Migration.Control;

/// <summary>A step completed: the reply to a request that has no data of its own to return.</summary>
/// <param name="Step">The kind of the request this answers.</param>
internal sealed record Acknowledged(MessageKind Step) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.Acknowledged;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write((int)Step);
    }

    internal static Acknowledged Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 1);
        var message = new Acknowledged((MessageKind)fields.ReadInt32());
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Source to destination: import this zone configuration ("Importing zone configuration.").</summary>
/// <param name="ZoneName">The zone name.</param>
/// <param name="ExportText">The configuration as <c>zonecfg export</c> prints it (the <c>create -b</c> command file).</param>
internal sealed record ImportConfiguration(string ZoneName, string ExportText) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.ImportConfiguration;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write(ZoneName);
        writer.Write(ExportText);
    }

    internal static ImportConfiguration Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 2);
        var message = new ImportConfiguration(fields.ReadString(64), fields.ReadString());
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Source to destination: attach the zone's shared storage ("Attaching zone.").</summary>
/// <param name="ZoneName">The zone name.</param>
internal sealed record Attach(string ZoneName) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.Attach;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(ZoneName);
    }

    internal static Attach Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 1);
        var message = new Attach(fields.ReadString(64));
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Source to destination: boot the zone in <c>migrating-in</c> mode ("Booting zone in 'migrating-in' mode.").</summary>
/// <param name="ZoneName">The zone name.</param>
internal sealed record BootMigratingIn(string ZoneName) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.BootMigratingIn;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(ZoneName);
    }

    internal static BootMigratingIn Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 1);
        var message = new BootMigratingIn(fields.ReadString(64));
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Source to destination: check that the zone can resume there ("Checking migration compatibility.").</summary>
/// <param name="Requirements">What the zone needs, as the source sees it.</param>
internal sealed record CheckCompatibility(ZoneRequirements Requirements) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.CheckCompatibility;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        WriteRequirements(ref writer, Requirements);
    }

    internal static CheckCompatibility Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 1);
        fields.EnterNested();
        var message = new CheckCompatibility(ReadRequirements(ref fields.Inner));
        reader = fields.Finish();
        return message;
    }

    private static void WriteRequirements(ref MessagePackWriter writer, ZoneRequirements requirements)
    {
        writer.WriteArrayHeader(requirements.DeviceStateFormat is null ? 8 : 9);
        writer.Write(requirements.ZoneName);
        writer.Write(requirements.Brand);
        writer.Write(requirements.MemoryBytes);
        writer.Write(requirements.PagesizePolicy);
        writer.Write(requirements.VirtualCpuCount);
        writer.Write(requirements.CpuArch);
        MessageFieldWriter.WriteStringList(ref writer, requirements.HostCompatibleLevels);
        writer.WriteArrayHeader(requirements.Storage.Count);
        foreach (StorageRequirement storage in requirements.Storage)
        {
            writer.WriteArrayHeader(2);
            writer.Write(storage.Uri);
            writer.Write(storage.IsShared);
        }

        if (requirements.DeviceStateFormat is not null)
        {
            writer.Write(requirements.DeviceStateFormat);
        }
    }

    private static ZoneRequirements ReadRequirements(ref MessagePackReader reader)
    {
        int fieldCount = reader.ReadArrayHeader();
        var fields = new MessageFieldReader(ref reader, nameof(ZoneRequirements), fieldCount, 8);
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

        string? format = null;
        if (fieldCount >= 9)
        {
            format = fields.ReadString(IDeviceState.MaxFormatLength);
            if (!DeviceStateFormat.IsWellFormed(format))
            {
                throw fields.Field("holds a device state format that is not 1 to 64 printable ASCII characters without spaces");
            }
        }

        reader = fields.Finish();
        return new ZoneRequirements(zoneName, brand, memory, policy, cpus, arch, levels, storage, format);
    }
}

/// <summary>Destination to source: the outcome of the compatibility check.</summary>
/// <param name="Problems">Every problem found, one sentence each; empty when the zone can resume on the destination.</param>
internal sealed record CompatibilityResult(IReadOnlyList<string> Problems) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.CompatibilityResult;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        MessageFieldWriter.WriteStringList(ref writer, Problems);
    }

    internal static CompatibilityResult Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 1);
        var message = new CompatibilityResult(fields.ReadStringList(4096));
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Destination to source: the zone's configuration is in place.</summary>
/// <param name="UsedExisting">True when the destination already had an identical configuration ("Using existing zone configuration on destination."), false when it imported it.</param>
internal sealed record ConfigurationImported(bool UsedExisting) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.ConfigurationImported;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(UsedExisting);
    }

    internal static ConfigurationImported Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 1);
        var message = new ConfigurationImported(fields.ReadBoolean());
        reader = fields.Finish();
        return message;
    }
}
