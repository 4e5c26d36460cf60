namespace KernelZones.Migration.Lifecycle;

/// <summary>Kernel zone auxiliary states (several may hold at once); <see cref="ZoneStatus"/> gives the spelling (its <c>ToString</c>, e.g. <c>running (migrating-in)</c>).</summary>
[Flags]
public enum ZoneAuxiliaryState
{
    /// <summary>No auxiliary state.</summary>
    None = 0,

    /// <summary><c>migrating-in</c>: booted on the destination, receiving the live-migration image.</summary>
    MigratingIn = 1,

    /// <summary><c>migrating-out</c>: running on the source while being live-migrated away.</summary>
    MigratingOut = 2,

    /// <summary><c>suspended</c>: suspended; resumes on the next boot.</summary>
    Suspended = 4,

    /// <summary><c>debugging</c>: in the kernel debugger; running but no network service.</summary>
    Debugging = 8,

    /// <summary><c>panicked</c>: running, but the guest panicked.</summary>
    Panicked = 16,

    /// <summary><c>no-config</c>: known to the system without a configuration.</summary>
    NoConfig = 32,
}
