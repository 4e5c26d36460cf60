using KernelZones.Testing.Faults;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>The rows of the fault matrix and the cells that cannot be exercised, with the reason.</summary>
internal static class FaultMatrix
{
    public const string Cancellation = "cancellation";
    public const string WrongPassword = "refusal: wrong password";
    public const string ZoneExists = "refusal: zone already installed on destination";
    public const string NotAuthorized = "refusal: user not authorized for the zone";
    public const string NoGuest = "refusal: hypervisor cannot create the guest";
    public const string Incompatible = "compatibility failure: not enough free memory";

    public static IReadOnlyDictionary<string, FaultKind> NetworkFaults { get; } = new Dictionary<string, FaultKind>
    {
        ["delay 150 ms"] = FaultKind.Delay,
        ["throttle 16 MiB/s"] = FaultKind.Throttle,
        ["stall"] = FaultKind.Stall,
        ["cut (FIN)"] = FaultKind.CutFin,
        ["cut (RST)"] = FaultKind.CutRst,
        ["corrupt a byte"] = FaultKind.Corrupt,
        ["drop a record"] = FaultKind.Drop,
        ["duplicate a record"] = FaultKind.Duplicate,
        ["reorder records"] = FaultKind.Reorder,
    };

    /// <summary>Where each refusal happens: a destination decides it at one phase only.</summary>
    public static IReadOnlyDictionary<string, MigrationPhase> Refusals { get; } = new Dictionary<string, MigrationPhase>
    {
        [WrongPassword] = MigrationPhase.Authenticate,
        [ZoneExists] = MigrationPhase.Import,
        [NotAuthorized] = MigrationPhase.Import,
        [NoGuest] = MigrationPhase.Boot,
        [Incompatible] = MigrationPhase.CompatibilityCheck,
    };

    /// <summary>
    /// The cells of one target that can be exercised, optionally only the phases up to and including the compatibility
    /// check (setup) or after it. Cells that cannot be exercised are not generated: <see cref="NotApplicableCells"/> lists them.
    /// </summary>
    public static TheoryData<string, string> Cells(FaultTarget target, bool? setup = null)
    {
        var data = new TheoryData<string, string>();
        foreach (FaultCase cell in AllCells(target, setup).Where(c => NotApplicable(c) is null))
        {
            data.Add(cell.Fault, cell.Phase.ToString());
        }

        return data;
    }

    /// <summary>Every cell of every target that the matrix leaves out, with the reason, for the reliability report.</summary>
    public static IEnumerable<(FaultCase Cell, string Reason)> NotApplicableCells() =>
        from target in Enum.GetValues<FaultTarget>()
        from cell in AllCells(target, setup: null)
        let reason = NotApplicable(cell)
        where reason is not null
        select (cell, reason);

    /// <summary>Why <paramref name="cell"/> cannot be exercised, or null when it can.</summary>
    public static string? NotApplicable(FaultCase cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        bool recordFault = cell.Kind is FaultKind.Delay or FaultKind.Corrupt or FaultKind.Drop or FaultKind.Duplicate or FaultKind.Reorder;
        return cell switch
        {
            { Target: FaultTarget.Control, Phase: MigrationPhase.Suspend } when recordFault =>
                "no control message is exchanged while the source suspends the zone; the next one (Switchover) is the final-round cell",
            { Target: FaultTarget.Data, Phase: >= MigrationPhase.Import and <= MigrationPhase.CompatibilityCheck } =>
                "the data connections are opened only after the negotiation that ends the compatibility check",
            { Target: FaultTarget.Data, Phase: >= MigrationPhase.Commit } when cell.Kind is not (FaultKind.CutFin or FaultKind.CutRst) =>
                "nothing flows on the data connections after both ends' end-of-stream records (before the verification result); only a cut can still reach them",
            _ => null,
        };
    }

    /// <summary>The full cross product of a target's faults and phases (a refusal only at the phase that decides it).</summary>
    private static IEnumerable<FaultCase> AllCells(FaultTarget target, bool? setup)
    {
        IEnumerable<string> faults = target switch
        {
            FaultTarget.Source => [Cancellation],
            FaultTarget.Destination => Refusals.Keys,
            _ => NetworkFaults.Keys,
        };
        foreach (string fault in faults)
        {
            foreach (var phase in Enum.GetValues<MigrationPhase>())
            {
                bool inPart = setup is not { } part || part == phase <= MigrationPhase.CompatibilityCheck;
                if (inPart && (target != FaultTarget.Destination || Refusals[fault] == phase))
                {
                    yield return new FaultCase(fault, phase, target);
                }
            }
        }
    }
}
