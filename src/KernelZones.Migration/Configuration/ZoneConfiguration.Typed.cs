namespace KernelZones.Migration.Configuration;

/// <summary>Typed views of the properties the migration engine and operators use most.</summary>
public sealed partial class ZoneConfiguration
{
    /// <summary><c>autoboot</c>; <see langword="false"/> when unset.</summary>
    public bool Autoboot => GetProperty("autoboot") == "true";

    /// <summary><c>autoshutdown</c>: <c>shutdown</c> (also when unset), <c>halt</c> or <c>suspend</c>.</summary>
    public string AutoShutdown => GetProperty("autoshutdown") ?? "shutdown";

    /// <summary><c>boot-priority</c>: <c>high</c>, <c>normal</c> (also when unset) or <c>low</c>.</summary>
    public string BootPriority => GetProperty("boot-priority") ?? "normal";

    /// <summary><c>bootargs</c>, or <see langword="null"/>.</summary>
    public string? BootArgs => GetProperty("bootargs");

    /// <summary><c>hostid</c> (written in hex, e.g. <c>0x2e7d2173</c>), or <see langword="null"/> when unset (the system generates one).</summary>
    public uint? HostId => GetProperty("hostid") is string value ? Configuration.HostId.Parse(value).Value : null;

    /// <summary><c>cpu-arch</c> (migration class such as <c>migration-class1</c>), or <see langword="null"/> (same class as the host).</summary>
    public string? CpuArch => GetProperty("cpu-arch");

    /// <summary><c>host-compatible</c> (e.g. <c>level1,memlzr</c>), or <see langword="null"/>.</summary>
    public string? HostCompatible => GetProperty("host-compatible");

    /// <summary><c>capped-memory physical</c>, or <see langword="null"/> when unset.</summary>
    public MemorySize? PhysicalMemory => ResourceValue("capped-memory", "physical") is string value ? MemorySize.Parse(value) : null;

    /// <summary>
    /// <c>capped-memory pagesize-policy</c>: <c>largest-only</c>, <c>largest-available</c>, <c>smallest-only</c> or
    /// <c>fixed</c>; <see langword="null"/> when unset.
    /// </summary>
    public string? PageSizePolicy => ResourceValue("capped-memory", "pagesize-policy");

    /// <summary><c>capped-memory pagesize</c> (only with the <c>fixed</c> policy), or <see langword="null"/>.</summary>
    public MemorySize? PageSize => ResourceValue("capped-memory", "pagesize") is string value ? MemorySize.Parse(value) : null;

    /// <summary><c>virtual-cpu ncpus</c> (1 to 65535), or <see langword="null"/> when unset.</summary>
    public int? VirtualCpus => ResourceValue("virtual-cpu", "ncpus") is string value ? CpuCount.Parse(value).Value : null;

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
