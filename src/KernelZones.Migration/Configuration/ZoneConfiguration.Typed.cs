namespace KernelZones.Migration.Configuration;

/// <summary>Typed views of the properties the migration engine and operators use most.</summary>
public sealed partial class ZoneConfiguration
{
    /// <summary><c>autoboot</c>; <see langword="false"/> when unset.</summary>
    public bool Autoboot => GetProperty("autoboot") == "true";

    /// <summary><c>autoshutdown</c>; <see cref="AutoShutdownAction.Shutdown"/> when unset.</summary>
    public AutoShutdownAction AutoShutdown => GetProperty("autoshutdown") is string value
        ? ZoneEnumText.Parse<AutoShutdownAction>(PropertyKind.AutoShutdown, value) : AutoShutdownAction.Shutdown;

    /// <summary><c>boot-priority</c>; <see cref="Configuration.BootPriority.Normal"/> when unset.</summary>
    public BootPriority BootPriority => GetProperty("boot-priority") is string value
        ? ZoneEnumText.Parse<BootPriority>(PropertyKind.BootPriority, value) : BootPriority.Normal;

    /// <summary><c>bootargs</c>, or <see langword="null"/>.</summary>
    public string? BootArgs => GetProperty("bootargs");

    /// <summary><c>hostid</c>, or <see langword="null"/> when unset (the system generates one).</summary>
    public HostId? HostId => GetProperty("hostid") is string value ? Configuration.HostId.Parse(value) : null;

    /// <summary><c>cpu-arch</c> (migration class such as <c>migration-class1</c>), or <see langword="null"/> (same class as the host).</summary>
    public string? CpuArch => GetProperty("cpu-arch");

    /// <summary><c>host-compatible</c> (e.g. <c>level1,memlzr</c>), or <see langword="null"/>.</summary>
    public string? HostCompatible => GetProperty("host-compatible");

    /// <summary><c>capped-memory physical</c>, or <see langword="null"/> when unset.</summary>
    public MemorySize? PhysicalMemory => ResourceValue("capped-memory", "physical") is string value ? MemorySize.Parse(value) : null;

    /// <summary><c>capped-memory pagesize-policy</c>, or <see langword="null"/> when unset.</summary>
    public PageSizePolicy? PageSizePolicy => ResourceValue("capped-memory", "pagesize-policy") is string value
        ? ZoneEnumText.Parse<PageSizePolicy>(PropertyKind.PageSizePolicy, value) : null;

    /// <summary><c>capped-memory pagesize</c> (only with the <c>fixed</c> policy), or <see langword="null"/>.</summary>
    public MemorySize? PageSize => ResourceValue("capped-memory", "pagesize") is string value ? MemorySize.Parse(value) : null;

    /// <summary><c>virtual-cpu ncpus</c>, or <see langword="null"/> when unset.</summary>
    public CpuCount? VirtualCpus => ResourceValue("virtual-cpu", "ncpus") is string value ? CpuCount.Parse(value) : null;

    /// <summary><c>dedicated-cpu ncpus</c>, or <see langword="null"/> when unset.</summary>
    public CpuRange? DedicatedCpus => ResourceValue("dedicated-cpu", "ncpus") is string value ? CpuRange.Parse(value) : null;

    private string? ResourceValue(string type, string name)
    {
        foreach (ZoneResource resource in Resources)
        {
            if (resource.Type == type)
            {
                return resource.GetValue(name);
            }
        }

        return null;
    }
}
