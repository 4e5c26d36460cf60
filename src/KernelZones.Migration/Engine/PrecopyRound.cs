namespace KernelZones.Migration.Engine;

/// <summary>Statistics of one pre-copy round (round 0 sends every page; later rounds the pages dirtied meanwhile).</summary>
/// <param name="Round">0 for the full pass, then 1, 2, ...; the final round (zone suspended) is flagged <paramref name="Final"/>.</param>
/// <param name="DataPages">Pages sent with their contents.</param>
/// <param name="ZeroPages">All-zero pages sent as ranges, without data.</param>
/// <param name="WireBytes">Bytes the round put on the data connections, record overhead included.</param>
/// <param name="Duration">Wall time of the round: from its first record to the destination's acknowledgement that every stripe delivered it (the final round: until its records are sealed; the switchover waits for their delivery).</param>
/// <param name="DirtyPages">Pages the guest dirtied while the round ran and drained (the next round's set).</param>
/// <param name="Final">Whether this is the stop-and-copy round after suspension.</param>
public sealed record PrecopyRound(int Round, long DataPages, long ZeroPages, long WireBytes, TimeSpan Duration, long DirtyPages, bool Final)
{
    /// <summary>Data-plane throughput of the round in bytes per second.</summary>
    public double BytesPerSecond => Duration > TimeSpan.Zero ? WireBytes / Duration.TotalSeconds : 0;

    /// <summary>The rate at which the guest dirtied memory during the round, in bytes per second, for a given page size.</summary>
    /// <param name="pageSize">The guest's page size in bytes.</param>
    public double DirtyBytesPerSecond(int pageSize) => Duration > TimeSpan.Zero ? DirtyPages * (double)pageSize / Duration.TotalSeconds : 0;
}
