namespace KernelZones.Migration.Tests.Faults;

/// <summary>The phases of a migration a fault can hit, in order.</summary>
internal enum MigrationPhase
{
    Connect,
    Authenticate,
    Import,
    Attach,
    Boot,
    CompatibilityCheck,
    Round0,
    LaterRounds,
    Suspend,
    FinalRound,
    Verification,
    Commit,
    Acknowledgement,
}

/// <summary>What the matrix row's fault acts on.</summary>
internal enum FaultTarget
{
    /// <summary>The TLS control connection.</summary>
    Control,

    /// <summary>The (first) data connection.</summary>
    Data,

    /// <summary>The source's own cancellation token.</summary>
    Source,

    /// <summary>The destination's own decision (a refusal).</summary>
    Destination,
}

/// <summary>How a migration under a fault ended, as the source saw it.</summary>
internal enum FaultOutcome
{
    Succeeded,
    RolledBack,
    InDoubt,
}
