namespace KernelZones.Migration.Lifecycle;

/// <summary>A consistent snapshot of a zone's state, auxiliary states and zone id.</summary>
/// <param name="State">The state.</param>
/// <param name="AuxiliaryState">The auxiliary states.</param>
/// <param name="Id">The zone id while ready or running; otherwise <see langword="null"/>.</param>
public readonly record struct ZoneStatus(ZoneState State, ZoneAuxiliaryState AuxiliaryState, int? Id)
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

    /// <summary>
    /// The state as <c>zoneadm</c> spells it: <c>configured</c>, <c>incomplete</c>, <c>unavailable</c>, <c>installed</c>,
    /// <c>ready</c>, <c>running</c>, <c>shutting_down</c> or <c>down</c>.
    /// </summary>
    public string StateName => Format(State);

    /// <summary>e.g. <c>running (migrating-in)</c>.</summary>
    public override string ToString() => AuxiliaryState == ZoneAuxiliaryState.None
        ? Format(State)
        : $"{Format(State)} ({Format(AuxiliaryState)})";

    /// <summary>The <c>zoneadm</c> spelling of a state.</summary>
    internal static string Format(ZoneState state) => state switch
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
    internal static string Format(ZoneAuxiliaryState states)
        => string.Join(',', s_auxiliary.Where(a => (states & a.Flag) != 0).Select(a => a.Name));
}
