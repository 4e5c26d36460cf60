namespace KernelZones.Migration.Lifecycle;

/// <summary>A lifecycle operation on a zone (a zoneadm/zonecfg subcommand or a migration step).</summary>
public enum ZoneOperation
{
    /// <summary><c>zoneadm install</c>: configured → installed.</summary>
    Install,

    /// <summary><c>zoneadm uninstall</c>: installed, incomplete or unavailable → configured.</summary>
    Uninstall,

    /// <summary><c>zoneadm attach</c>: configured or unavailable → installed.</summary>
    Attach,

    /// <summary><c>zoneadm detach</c>: installed → configured.</summary>
    Detach,

    /// <summary><c>zoneadm ready</c>: installed → ready.</summary>
    Ready,

    /// <summary><c>zoneadm boot</c>: installed or ready → running (resumes a suspended zone).</summary>
    Boot,

    /// <summary>Boot on a migration destination: installed → running + migrating-in.</summary>
    BootMigratingIn,

    /// <summary>The migrated zone resumed on the destination: running + migrating-in → running.</summary>
    CompleteMigrationIn,

    /// <summary>Live migration starts on the source: running → running + migrating-out.</summary>
    BeginMigrationOut,

    /// <summary>Live migration on the source ended without handing over (cancel, failure): running + migrating-out → running.</summary>
    EndMigrationOut,

    /// <summary><c>zoneadm halt</c>: ready or running → installed (clears migrating-in/-out, debugging, panicked).</summary>
    Halt,

    /// <summary><c>zoneadm suspend</c>: running → installed + suspended (needs a suspend resource).</summary>
    Suspend,

    /// <summary><c>zoneadm mark incomplete</c>: installed → incomplete.</summary>
    MarkIncomplete,

    /// <summary><c>zoneadm mark unavailable</c>: installed → unavailable.</summary>
    MarkUnavailable,

    /// <summary>The guest panicked: running → running + panicked.</summary>
    Panic,

    /// <summary><c>zonecfg delete</c>: configured → gone.</summary>
    Delete,

    /// <summary>A configuration change (<c>zonecfg</c> commit): configured or installed.</summary>
    Reconfigure,
}
