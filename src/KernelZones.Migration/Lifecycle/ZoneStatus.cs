namespace KernelZones.Migration.Lifecycle;

/// <summary>A consistent snapshot of a zone's state, auxiliary states and zone id.</summary>
/// <param name="State">The state.</param>
/// <param name="AuxiliaryState">The auxiliary states.</param>
/// <param name="Id">The zone id while ready or running; otherwise <see langword="null"/>.</param>
public readonly record struct ZoneStatus(ZoneState State, ZoneAuxiliaryState AuxiliaryState, int? Id)
{
    /// <summary>e.g. <c>running (migrating-in)</c>.</summary>
    public override string ToString() => AuxiliaryState == ZoneAuxiliaryState.None
        ? ZoneStateText.Format(State)
        : $"{ZoneStateText.Format(State)} ({ZoneStateText.Format(AuxiliaryState)})";
}
