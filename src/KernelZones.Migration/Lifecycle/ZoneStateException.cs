namespace KernelZones.Migration.Lifecycle;

/// <summary>
/// Thrown when an operation is not legal for a zone in its current state, or the zone does not exist or is
/// already taken. The message follows zoneadm, e.g. <c>zone 'kzone1': must be installed before boot.</c>
/// </summary>
public sealed class ZoneStateException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="zoneName">The zone.</param>
    /// <param name="state">Its state, or <see langword="null"/> when it does not exist.</param>
    /// <param name="auxiliaryState">Its auxiliary states.</param>
    /// <param name="operation">The refused operation.</param>
    /// <param name="detail">The zoneadm-style text after <c>zone 'name': </c>.</param>
    public ZoneStateException(string zoneName, ZoneState? state, ZoneAuxiliaryState auxiliaryState, ZoneOperation operation, string detail)
        : base($"zone '{zoneName}': {detail}")
    {
        ZoneName = zoneName;
        State = state;
        AuxiliaryState = auxiliaryState;
        Operation = operation;
    }

    /// <summary>The zone.</summary>
    public string ZoneName { get; }

    /// <summary>The zone's state when the operation was refused; <see langword="null"/> when the zone does not exist.</summary>
    public ZoneState? State { get; }

    /// <summary>The zone's auxiliary states when the operation was refused.</summary>
    public ZoneAuxiliaryState AuxiliaryState { get; }

    /// <summary>The refused operation.</summary>
    public ZoneOperation Operation { get; }
}
