namespace KernelZones.Migration.Configuration;

/// <summary>Why a configuration cannot be live-migrated.</summary>
internal enum LiveMigrationProblemKind
{
    /// <summary>The brand is not <c>solaris-kz</c>.</summary>
    NotKernelZone,

    /// <summary><c>capped-memory physical</c> is not set.</summary>
    MemoryNotCapped,

    /// <summary>A <c>device</c> has no storage URI (only <c>match</c>, or nothing).</summary>
    DeviceWithoutStorage,

    /// <summary>A <c>device</c> is on local storage (<c>dev:</c> or <c>file://</c>).</summary>
    DeviceNotShared,

    /// <summary>The <c>suspend</c> resource uses a local path or a local storage URI.</summary>
    SuspendNotShared,
}
