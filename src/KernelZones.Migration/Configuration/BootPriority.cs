namespace KernelZones.Migration.Configuration;

/// <summary>The order in which autoboot zones boot (<c>boot-priority</c>; default <see cref="Normal"/>).</summary>
public enum BootPriority
{
    /// <summary><c>high</c>.</summary>
    High,

    /// <summary><c>normal</c> (the default).</summary>
    Normal,

    /// <summary><c>low</c>.</summary>
    Low,
}
