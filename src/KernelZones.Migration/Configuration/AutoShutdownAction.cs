namespace KernelZones.Migration.Configuration;

/// <summary>What happens to the zone when the global zone shuts down (<c>autoshutdown</c>; default <see cref="Shutdown"/>).</summary>
public enum AutoShutdownAction
{
    /// <summary><c>shutdown</c>: a clean shutdown of the guest (the default).</summary>
    Shutdown,

    /// <summary><c>halt</c>: the zone is halted.</summary>
    Halt,

    /// <summary><c>suspend</c>: the zone is suspended (needs a <c>suspend</c> resource).</summary>
    Suspend,
}
