namespace KernelZones.Migration.Lifecycle;

/// <summary>The zoneadm spelling of states and auxiliary states.</summary>
public static class ZoneStateText
{
    private static readonly (ZoneAuxiliaryState Flag, string Name)[] s_auxiliary =
    [
        (ZoneAuxiliaryState.MigratingIn, "migrating-in"),
        (ZoneAuxiliaryState.MigratingOut, "migrating-out"),
        (ZoneAuxiliaryState.Suspended, "suspended"),
        (ZoneAuxiliaryState.Debugging, "debugging"),
        (ZoneAuxiliaryState.Panicked, "panicked"),
        (ZoneAuxiliaryState.NoConfig, "no-config"),
    ];

    /// <summary><c>configured</c>, <c>incomplete</c>, <c>unavailable</c>, <c>installed</c>, <c>ready</c>, <c>running</c>, <c>shutting_down</c>, <c>down</c>.</summary>
    public static string Format(ZoneState state) => state switch
    {
        ZoneState.Configured => "configured",
        ZoneState.Incomplete => "incomplete",
        ZoneState.Unavailable => "unavailable",
        ZoneState.Installed => "installed",
        ZoneState.Ready => "ready",
        ZoneState.Running => "running",
        ZoneState.ShuttingDown => "shutting_down",
        ZoneState.Down => "down",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown zone state"),
    };

    /// <summary>The auxiliary states separated by commas (e.g. <c>migrating-in</c>); empty for <see cref="ZoneAuxiliaryState.None"/>.</summary>
    public static string Format(ZoneAuxiliaryState states)
        => string.Join(',', s_auxiliary.Where(a => (states & a.Flag) != 0).Select(a => a.Name));
}
