namespace KernelZones.Migration.Lifecycle;

/// <summary>The legal transitions between zone states of Solaris 11.3 zones and zoneadm's refusals.</summary>
internal static class ZoneTransitions
{
    private const ZoneAuxiliaryState ClearedByHalt = ZoneAuxiliaryState.MigratingIn | ZoneAuxiliaryState.MigratingOut
        | ZoneAuxiliaryState.Debugging | ZoneAuxiliaryState.Panicked;

    private const ZoneAuxiliaryState Migrating = ZoneAuxiliaryState.MigratingIn | ZoneAuxiliaryState.MigratingOut;

    /// <summary>The status after <paramref name="operation"/>; throws <see cref="ZoneStateException"/> when illegal.</summary>
    public static (ZoneState State, ZoneAuxiliaryState Auxiliary) Next(string zoneName, ZoneOperation operation, ZoneStatus status, bool canSuspend)
    {
        ZoneState state = status.State;
        ZoneAuxiliaryState aux = status.AuxiliaryState;
        (ZoneState, ZoneAuxiliaryState)? next = operation switch
        {
            ZoneOperation.Install when state == ZoneState.Configured => (ZoneState.Installed, ZoneAuxiliaryState.None),
            ZoneOperation.Attach when state is ZoneState.Configured or ZoneState.Unavailable => (ZoneState.Installed, aux & ZoneAuxiliaryState.Suspended),
            ZoneOperation.Detach when state == ZoneState.Installed => (ZoneState.Configured, aux),
            ZoneOperation.Uninstall when state is ZoneState.Installed or ZoneState.Incomplete or ZoneState.Unavailable => (ZoneState.Configured, ZoneAuxiliaryState.None),
            ZoneOperation.Ready when state == ZoneState.Installed => (ZoneState.Ready, aux),
            ZoneOperation.Boot when state is ZoneState.Installed or ZoneState.Ready => (ZoneState.Running, aux & ~ZoneAuxiliaryState.Suspended),
            ZoneOperation.BootMigratingIn when state == ZoneState.Installed && aux == ZoneAuxiliaryState.None => (ZoneState.Running, ZoneAuxiliaryState.MigratingIn),
            ZoneOperation.CompleteMigrationIn when state == ZoneState.Running && (aux & ZoneAuxiliaryState.MigratingIn) != 0 => (state, aux & ~ZoneAuxiliaryState.MigratingIn),
            ZoneOperation.BeginMigrationOut when state == ZoneState.Running && (aux & (ClearedByHalt)) == 0 => (state, aux | ZoneAuxiliaryState.MigratingOut),
            ZoneOperation.EndMigrationOut when state == ZoneState.Running && (aux & ZoneAuxiliaryState.MigratingOut) != 0 => (state, aux & ~ZoneAuxiliaryState.MigratingOut),
            ZoneOperation.Halt when state is ZoneState.Ready or ZoneState.Running => (ZoneState.Installed, aux & ~ClearedByHalt),
            ZoneOperation.Suspend when state == ZoneState.Running && (aux & ClearedByHalt) == 0 && canSuspend => (ZoneState.Installed, ZoneAuxiliaryState.Suspended),
            ZoneOperation.MarkIncomplete when state is ZoneState.Installed or ZoneState.Unavailable => (ZoneState.Incomplete, ZoneAuxiliaryState.None),
            ZoneOperation.MarkUnavailable when state == ZoneState.Installed => (ZoneState.Unavailable, aux),
            ZoneOperation.Panic when state == ZoneState.Running => (state, aux | ZoneAuxiliaryState.Panicked),
            ZoneOperation.Delete when state == ZoneState.Configured => (state, aux),
            _ => null,
        };

        return next ?? throw new ZoneStateException(zoneName, state, aux, operation, Refusal(operation, status, canSuspend));
    }

    /// <summary>zoneadm's wording: "must be installed before boot.", "is already running.", "... operation is invalid for ... zones."</summary>
    private static string Refusal(ZoneOperation operation, ZoneStatus status, bool canSuspend)
    {
        ZoneState state = status.State;
        string name = Name(operation);
        return operation switch
        {
            ZoneOperation.Install or ZoneOperation.Attach when state == ZoneState.Installed => "is already installed.",
            ZoneOperation.Boot or ZoneOperation.BootMigratingIn when state == ZoneState.Running => "is already running.",
            ZoneOperation.Ready when state == ZoneState.Ready => "is already ready.",
            ZoneOperation.Boot or ZoneOperation.BootMigratingIn or ZoneOperation.Ready or ZoneOperation.Detach or ZoneOperation.Uninstall
                or ZoneOperation.MarkUnavailable when state is ZoneState.Configured or ZoneState.Incomplete
                => $"must be {ZoneStatus.Format(ZoneState.Installed)} before {name}.",
            ZoneOperation.Suspend when state == ZoneState.Running && !canSuspend => "suspend operation is invalid: the configuration has no suspend resource.",
            ZoneOperation.Suspend or ZoneOperation.BeginMigrationOut or ZoneOperation.Halt when state != ZoneState.Running && state != ZoneState.Ready
                => $"must be {ZoneStatus.Format(ZoneState.Running)} before {name}.",
            ZoneOperation.Delete => $"must be {ZoneStatus.Format(ZoneState.Configured)} before {name}; uninstall or detach it first.",
            _ => $"{name} operation is invalid for {status} zones.",
        };
    }

    public static string Name(ZoneOperation operation) => operation switch
    {
        ZoneOperation.Install => "install",
        ZoneOperation.Uninstall => "uninstall",
        ZoneOperation.Attach => "attach",
        ZoneOperation.Detach => "detach",
        ZoneOperation.Ready => "ready",
        ZoneOperation.Boot or ZoneOperation.BootMigratingIn => "boot",
        ZoneOperation.CompleteMigrationIn => "resume",
        ZoneOperation.BeginMigrationOut => "migrate",
        ZoneOperation.EndMigrationOut => "migration cancel",
        ZoneOperation.Halt => "halt",
        ZoneOperation.Suspend => "suspend",
        ZoneOperation.MarkIncomplete => "mark incomplete",
        ZoneOperation.MarkUnavailable => "mark unavailable",
        ZoneOperation.Panic => "panic",
        ZoneOperation.Delete => "delete",
        _ => "configure",
    };
}
