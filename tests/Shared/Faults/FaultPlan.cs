namespace KernelZones.Testing.Faults;

/// <summary>
/// A fault waiting for its moment on one connection of a <see cref="FaultProxy"/>: it fires on the first record
/// flowing in <see cref="Direction"/> that <see cref="Match"/> accepts, after letting <see cref="Skip"/> such records pass.
/// </summary>
internal sealed class FaultPlan
{
    /// <summary>What to do; null only runs <see cref="OnFired"/> (a trigger for something else) and forwards the record.</summary>
    public FaultKind? Kind { get; init; }

    public FlowDirection Direction { get; init; } = FlowDirection.Upstream;

    public Func<ProxyRecord, bool> Match { get; init; } = static _ => true;

    public int Skip { get; init; }

    /// <summary>Fires when the connection is accepted instead of on a record (connection-level faults; record faults take the first upstream record).</summary>
    public bool AtAccept { get; init; }

    /// <summary>Fires just after the matching record was forwarded (connection-level faults only): the peer has it, and whatever it answers meets the fault.</summary>
    public bool AfterForwarding { get; init; }

    /// <summary>Runs when the fault fires, before it acts (after it acted with <see cref="AfterForwarding"/>), on the proxy's pump; keep it short.</summary>
    public Action? OnFired { get; init; }

    internal int Remaining { get; set; } = -1;
}
