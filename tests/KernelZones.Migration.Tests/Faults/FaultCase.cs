using KernelZones.Testing.Faults;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>One cell of the matrix: a fault (a network fault, a cancellation or a refusal) at a phase, on a target.</summary>
internal sealed record FaultCase(string Fault, MigrationPhase Phase, FaultTarget Target)
{
    /// <summary>The network fault, or null for a cancellation or a refusal.</summary>
    public FaultKind? Kind => FaultMatrix.NetworkFaults.TryGetValue(Fault, out var kind) ? kind : null;

    /// <summary>A fault after which the migration should still succeed.</summary>
    public bool IsBenign => Kind is FaultKind.Delay or FaultKind.Throttle
        || (Target == FaultTarget.Data && Phase >= MigrationPhase.Commit);

    /// <summary>Whether the fault may land after the commit point (the source may then only report in-doubt).</summary>
    public bool AfterCommitPoint => Phase >= MigrationPhase.Commit && Target != FaultTarget.Data;

    public override string ToString() => $"{Fault} at {Phase} on {Target}";
}
