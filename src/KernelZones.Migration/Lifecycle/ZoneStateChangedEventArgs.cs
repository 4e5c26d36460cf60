namespace KernelZones.Migration.Lifecycle;

/// <summary>A zone changed state; raised after the change, outside the zone's lock.</summary>
public sealed class ZoneStateChangedEventArgs : EventArgs
{
    internal ZoneStateChangedEventArgs(Zone zone, ZoneOperation operation, ZoneStatus previous, ZoneStatus current, long sequence)
    {
        Zone = zone;
        Operation = operation;
        Previous = previous;
        Current = current;
        Sequence = sequence;
    }

    /// <summary>The zone.</summary>
    public Zone Zone { get; }

    /// <summary>The operation that caused the change.</summary>
    public ZoneOperation Operation { get; }

    /// <summary>The status before.</summary>
    public ZoneStatus Previous { get; }

    /// <summary>The status after.</summary>
    public ZoneStatus Current { get; }

    /// <summary>
    /// Increases by one per change of this zone, starting at 1; events may reach handlers on different threads
    /// out of order under concurrent use, and this orders them.
    /// </summary>
    public long Sequence { get; }
}
