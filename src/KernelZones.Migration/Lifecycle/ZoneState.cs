namespace KernelZones.Migration.Lifecycle;

/// <summary>The state of a non-global zone (zones(7)); <see cref="ZoneStatus.StateName"/> gives the zoneadm spelling.</summary>
public enum ZoneState
{
    /// <summary><c>configured</c>: the configuration is committed; nothing is installed (or the zone is detached).</summary>
    Configured,

    /// <summary><c>incomplete</c>: install or uninstall in progress, or marked damaged.</summary>
    Incomplete,

    /// <summary><c>unavailable</c>: installed but cannot be used (storage missing, host data owned elsewhere, ...).</summary>
    Unavailable,

    /// <summary><c>installed</c>: instantiated on this host, no virtual platform.</summary>
    Installed,

    /// <summary><c>ready</c>: virtual platform up and a zone id assigned, no guest running.</summary>
    Ready,

    /// <summary><c>running</c>: the guest runs.</summary>
    Running,

    /// <summary><c>shutting_down</c>: transitional during halt.</summary>
    ShuttingDown,

    /// <summary><c>down</c>: transitional during halt.</summary>
    Down,
}
