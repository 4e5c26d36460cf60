namespace KernelZones.Migration.Engine;

/// <summary>How a migration ended, with its statistics.</summary>
/// <remarks>A failure before the commit point throws <see cref="MigrationException"/> instead (the zone runs on the source, unchanged).</remarks>
public sealed record MigrationResult
{
    /// <summary>The migration id both hosts know it by.</summary>
    public required Guid MigrationId { get; init; }

    /// <summary>The zone.</summary>
    public required string ZoneName { get; init; }

    /// <summary><see cref="MigrationOutcome.Succeeded"/>, <see cref="MigrationOutcome.DryRunSucceeded"/>, or <see cref="MigrationOutcome.InDoubt"/> when the commit was sent but not acknowledged.</summary>
    public required MigrationOutcome Outcome { get; init; }

    /// <summary>The data cipher used (empty for a dry run).</summary>
    public string Cipher { get; init; } = "";

    /// <summary>Data connections used.</summary>
    public int Stripes { get; init; }

    /// <summary>Every pre-copy round, the final one last.</summary>
    public IReadOnlyList<PrecopyRound> Rounds { get; init; } = [];

    /// <summary>From the first control message to the source's halt.</summary>
    public TimeSpan TotalTime { get; init; }

    /// <summary>From connecting to the first page sent.</summary>
    public TimeSpan SetupTime { get; init; }

    /// <summary>
    /// From suspension on the source to the start of the zone's vCPUs on the destination, measured on the source (so it
    /// includes the last round, the verification and one control message's transit). For a guest that shows it runs
    /// (<see cref="Guests.IGuestReadiness"/>) the destination starts the vCPUs before its verdict and says how long before
    /// it; for other guests it starts them at the commit, and the downtime ends with its acknowledgement.
    /// </summary>
    public TimeSpan Downtime { get; init; }

    /// <summary>
    /// For a guest that shows it runs (<see cref="Guests.IGuestReadiness"/>): from the start of its vCPUs on the destination
    /// to its first sign of life, as the destination measured it, before the commit; the zone runs (it is not down)
    /// meanwhile. <see langword="null"/> for other guests and for a dry run.
    /// </summary>
    public TimeSpan? ReadinessWait { get; init; }

    /// <summary>The downtime the switchover decision expected.</summary>
    public TimeSpan ExpectedDowntime { get; init; }

    /// <summary>Bytes on the data connections, record overhead included.</summary>
    public long BytesOnWire { get; init; }

    /// <summary>Bytes each stripe sent.</summary>
    public IReadOnlyList<long> BytesPerStripe { get; init; } = [];

    /// <summary>Guest memory bytes per second of pre-copy plus final round: bytes on the wire over the time spent sending.</summary>
    public double ThroughputBytesPerSecond { get; init; }

    /// <summary>Whether the limit policy forced the switchover or throttled the guest.</summary>
    public string? LimitAction { get; init; }
}

/// <summary>How a migration ended.</summary>
public enum MigrationOutcome
{
    /// <summary>The zone runs on the destination; the source's copy is halted and detached.</summary>
    Succeeded,

    /// <summary>The dry run passed; nothing changed on either host.</summary>
    DryRunSucceeded,

    /// <summary>The commit was sent but its acknowledgement never came: ask the destination (<see cref="MigrationSource.QueryIncomingStateAsync"/>) before doing anything with the zone.</summary>
    InDoubt,
}
