using System.Globalization;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Kvm.Snapshot;
using KernelZones.Migration.Kvm.VState;

namespace KernelZones.Migration.Kvm;

/// <summary>
/// Live migration of zones that run on <see cref="KvmGuest"/>s: the machine description a zone's configuration
/// carries to the destination, and the destination's guest factory, which checks it before any memory moves.
/// </summary>
/// <remarks>
/// <para>On the source, <see cref="Describe"/> writes the guest's machine into the zone's configuration as <c>attr</c>
/// resources (state format version, vCPU count, memory size, CPUID features); the engine exports the configuration
/// to the destination first. There, the factory from <see cref="DestinationGuests"/> (set as
/// <see cref="Engine.MigrationDestinationOptions.CreateGuest"/>) runs at "Booting zone in 'migrating-in' mode" and
/// refuses with a <see cref="MigrationException"/> of kind <see cref="MigrationFailureKind.Compatibility"/> — one line
/// naming the mismatch — when KVM is not usable, or the description does not match this host or the configuration. The
/// migration then stops before any page is sent, and the zone runs on.</para>
/// <para>The device state the source captures at the switchover is checked again when it is restored (format version,
/// hash, machine shape, every record's size, CPUID features against this host's KVM): a refusal there ends the
/// switchover before the commit, and the source resumes its guest.</para>
/// <para>Thread-safety: the members are stateless; the factory may be called from any thread.</para>
/// </remarks>
public static class KvmZoneMigration
{
    /// <summary>The <c>attr</c> name for the state format version the source writes.</summary>
    public const string StateVersionAttribute = "kvm-state-version";

    /// <summary>The <c>attr</c> name for the source guest's vCPU count.</summary>
    public const string VcpusAttribute = "kvm-vcpus";

    /// <summary>The <c>attr</c> name for the source guest's memory size in bytes.</summary>
    public const string MemoryAttribute = "kvm-memory";

    /// <summary>The <c>attr</c> name for the CPUID feature words the source guest runs with.</summary>
    public const string CpuidAttribute = "kvm-cpuid";

    /// <summary>Returns <paramref name="configuration"/> with <paramref name="guest"/>'s machine written into it as <c>attr</c> resources (replacing earlier ones).</summary>
    /// <param name="configuration">The zone's configuration on the source.</param>
    /// <param name="guest">The running guest the zone runs on.</param>
    /// <returns>The described configuration; configure (or update) the zone with it before migrating.</returns>
    public static ZoneConfiguration Describe(ZoneConfiguration configuration, KvmGuest guest)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(guest);
        ZoneConfigurationBuilder builder = configuration.ToBuilder();
        SetAttribute(builder, configuration, StateVersionAttribute, "int", KvmStateFormat.Version.ToString(CultureInfo.InvariantCulture));
        SetAttribute(builder, configuration, VcpusAttribute, "int", KvmGuest.VcpuCount.ToString(CultureInfo.InvariantCulture));
        SetAttribute(builder, configuration, MemoryAttribute, "uint", guest.Memory.Size.ToString(CultureInfo.InvariantCulture));
        SetAttribute(builder, configuration, CpuidAttribute, "string", guest.CpuFeatures.ToString());
        return builder.Build();
    }

    /// <summary>
    /// The destination's guest factory: checks the zone's description against this host and creates an empty
    /// <see cref="KvmGuest"/> of the zone's <c>capped-memory physical</c> (mapped, not populated: pages are backed
    /// as the transfer writes them), with its vCPUs suspended.
    /// </summary>
    /// <param name="template">Where the KVM device is (<see cref="KvmGuestOptions.DevicePath"/>); <see langword="null"/> uses <c>/dev/kvm</c>. Its other settings are ignored: the state brings the guest's own.</param>
    /// <returns>A factory for <see cref="Engine.MigrationDestinationOptions.CreateGuest"/>; it throws <see cref="MigrationException"/> (<see cref="MigrationFailureKind.Compatibility"/>) on any mismatch.</returns>
    public static Func<ZoneConfiguration, IGuest> DestinationGuests(KvmGuestOptions? template = null)
    {
        string devicePath = template?.DevicePath ?? KvmSystem.DefaultDevicePath;
        return configuration => CreateDestinationGuest(configuration, devicePath);
    }

    private static KvmGuest CreateDestinationGuest(ZoneConfiguration configuration, string devicePath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string zone = configuration.ZoneName;
        if (KvmGuest.ProbeUnavailableReason(devicePath) is { } unusable)
        {
            throw Refuse(zone, $"KVM is not usable on the destination: {unusable}");
        }

        long memory = configuration.PhysicalMemory?.Bytes ?? throw Refuse(zone, "capped-memory physical is not set");
        int vcpus = configuration.VirtualCpus ?? 1;
        int stateVersion = ReadInt(configuration, StateVersionAttribute);
        int describedVcpus = ReadInt(configuration, VcpusAttribute);
        long describedMemory = ReadLong(configuration, MemoryAttribute);
        string cpuid = Attribute(configuration, CpuidAttribute);

        if (stateVersion != KvmStateFormat.Version)
        {
            throw Refuse(zone, $"the source's KVM state format is version {stateVersion}; this host reads version {KvmStateFormat.Version}");
        }

        if (describedVcpus != KvmGuest.VcpuCount || vcpus != KvmGuest.VcpuCount)
        {
            throw Refuse(zone, $"the source guest has {describedVcpus} vCPU(s) and virtual-cpu ncpus is {vcpus}; KVM guests on this host have {KvmGuest.VcpuCount}");
        }

        if (describedMemory != memory)
        {
            throw Refuse(zone, $"the source guest has {describedMemory} bytes of memory but capped-memory physical is {memory} bytes");
        }

        if (memory > KvmGuestMemory.MaxSize || memory < (2L << 20) || memory % KvmGuestMemory.GuestPageSize != 0)
        {
            throw Refuse(zone, $"a KVM guest's memory must be a multiple of 4096 bytes from 2 MiB to 3 GiB; the zone has {memory} bytes");
        }

        if (!KvmCpuFeatures.TryParse(cpuid, out KvmCpuFeatures? features))
        {
            throw Refuse(zone, $"attr {CpuidAttribute} is not a CPUID feature list: '{cpuid}'");
        }

        KvmGuest guest;
        try
        {
            guest = KvmGuest.CreateForRestore(new KvmGuestOptions { MemorySize = memory, DevicePath = devicePath });
        }
        catch (KvmException ex)
        {
            throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{zone}': error: the destination cannot create the KVM guest: {ex.Message}", ex);
        }

        if (features!.MissingFrom(guest.HostFeatures) is { } missing)
        {
            guest.Dispose();
            throw Refuse(zone, $"the source guest runs with CPUID features this host's KVM does not offer ({missing})");
        }

        return guest;
    }

    private static MigrationException Refuse(string zone, string reason) =>
        new(MigrationFailureKind.Compatibility, $"zone '{zone}': error: {reason}; the zone stays on the source.");

    private static string Attribute(ZoneConfiguration configuration, string name) =>
        configuration.GetResources("attr").FirstOrDefault(r => r.GetValue("name") == name)?.GetValue("value")
        ?? throw Refuse(configuration.ZoneName, $"attr {name} is missing: the configuration does not describe a KVM guest (the source calls KvmZoneMigration.Describe)");

    private static int ReadInt(ZoneConfiguration configuration, string name) =>
        int.TryParse(Attribute(configuration, name), NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw Refuse(configuration.ZoneName, $"attr {name} is not a number");

    private static long ReadLong(ZoneConfiguration configuration, string name) =>
        long.TryParse(Attribute(configuration, name), NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw Refuse(configuration.ZoneName, $"attr {name} is not a number");

    private static void SetAttribute(ZoneConfigurationBuilder builder, ZoneConfiguration configuration, string name, string type, string value)
    {
        ZoneResource replacement = ZoneResource.Create("attr", ("name", name), ("type", type), ("value", value));
        if (configuration.GetResources("attr").FirstOrDefault(r => r.GetValue("name") == name) is { } existing)
        {
            builder.ReplaceResource(existing, replacement);
        }
        else
        {
            builder.AddResource(replacement);
        }
    }
}
