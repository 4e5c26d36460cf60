using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Testing.Faults;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>Collects the invariants a fault case broke (docs/design.md, "Invariants"), so that one case reports all of them.</summary>
internal sealed class InvariantCheck
{
    private readonly List<string> _failures = [];

    public IReadOnlyList<string> Failures => _failures;

    public void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            _failures.Add($"{what}: expected {expected}, got {actual}");
        }
    }

    /// <summary>Texts of BCL exceptions that tell an operator nothing about the migration.</summary>
    private static readonly string[] s_rawTexts = ["Cannot access a disposed object", "A task was canceled", "The operation was canceled", "see inner exception"];

    public void ErrorClear(FaultCase cell, MigrationException error)
    {
        if (error.Kind == MigrationFailureKind.Unknown || error.Message.Length < 20 || s_rawTexts.Any(t => error.Message.Contains(t, StringComparison.Ordinal)))
        {
            _failures.Add($"unclear error ({error.Kind}): {error.Message}");
        }

        if (cell.Target == FaultTarget.Source && error.Kind != MigrationFailureKind.Aborted)
        {
            _failures.Add($"a cancellation reported as {error.Kind}: {error.Message}");
        }
    }

    public void NeitherRunsWhileInDoubt(FaultHosts hosts)
    {
        if (SourceRuns(hosts) && DestinationRuns(hosts))
        {
            _failures.Add("in doubt, yet the zone runs on both hosts");
        }
        else if (SourceRuns(hosts))
        {
            _failures.Add("in doubt, yet the source resumed its copy");
        }
    }

    public void ExactlyOneRuns(FaultHosts hosts, bool destinationHasIt)
    {
        bool source = SourceRuns(hosts);
        bool destination = DestinationRuns(hosts);
        if (source == destination)
        {
            _failures.Add(source ? "the zone runs on both hosts" : "the zone runs on neither host");
        }
        else if (destination != destinationHasIt)
        {
            _failures.Add("the destination's zone state disagrees with its guest");
        }
    }

    public void SourceUnchanged(FaultHosts hosts, UInt128 digestBefore)
    {
        Equal(ZoneState.Running, hosts.Zone.State, "source zone state");
        Equal(ZoneAuxiliaryState.None, hosts.Zone.AuxiliaryState, "source zone auxiliary state");
        Equal(digestBefore, PageDigest.Compute(hosts.Memory), "source memory digest");
    }

    public void DestinationClean(FaultHosts hosts, ZoneStatus? before)
    {
        Equal(before, hosts.DestinationHost.Find(FaultHosts.ZoneName)?.Status, "destination zone status");
        Equal(null, hosts.Destination.FindGuest(FaultHosts.ZoneName), "destination guest");
    }

    /// <summary>Compares the destination's memory and device state with the source's at suspension; returns the bytes that differ.</summary>
    public long DestinationEqualsSource(FaultHosts hosts)
    {
        var arrived = hosts.Destination.FindGuest(FaultHosts.ZoneName)!;
        long lost = 0;
        for (long page = 0; page < hosts.Memory.PageCount; page += 256)
        {
            var expected = hosts.Memory.GetPages(page, 256);
            var actual = arrived.Memory.GetPages(page, 256);
            for (int i = 0; i < expected.Length; i++)
            {
                lost += expected[i] != actual[i] ? 1 : 0;
            }
        }

        Equal(0L, lost, "bytes that differ between the source at suspension and the destination");
        Equal(true, hosts.DeviceState.Span.SequenceEqual(arrived.Devices.Capture().Span), "device state equal");
        Equal(ZoneState.Configured, hosts.Zone.State, "source zone state after handing over");
        return lost;
    }

    public void OutcomeExpected(FaultCase cell, FaultOutcome outcome, IReadOnlyList<string> effects)
    {
        if (cell.Target is FaultTarget.Control or FaultTarget.Data && effects.Count == 0)
        {
            _failures.Add("the fault never fired");
            return;
        }

        bool reorderedAlone = cell.Kind == FaultKind.Reorder && effects.Any(e => e.Contains("alone", StringComparison.Ordinal));
        // A duplicate is read by the next receive in its direction: a duplicated Switchover in place of the Commit,
        // a duplicated verification result in place of the commit's acknowledgement.
        bool duplicateLandsAfterCommit = cell is { Kind: FaultKind.Duplicate, Phase: MigrationPhase.FinalRound or MigrationPhase.Verification, Target: FaultTarget.Control };
        FaultOutcome[] allowed = cell.IsBenign || reorderedAlone ? [FaultOutcome.Succeeded]
            : duplicateLandsAfterCommit ? [FaultOutcome.InDoubt]
            : cell.AfterCommitPoint ? [FaultOutcome.InDoubt, FaultOutcome.Succeeded]
            : [FaultOutcome.RolledBack];
        if (!allowed.Contains(outcome))
        {
            _failures.Add($"outcome {outcome}, expected {string.Join(" or ", allowed)}");
        }
    }

    public void NoSocketLeft(string when, IReadOnlyList<string> open)
    {
        if (open.Count > 0)
        {
            _failures.Add($"sockets left open {when}: " + string.Join(", ", open));
        }
    }

    private static bool SourceRuns(FaultHosts hosts) => hosts.Zone.State == ZoneState.Running && !hosts.Cpus.IsSuspended;

    private static bool DestinationRuns(FaultHosts hosts) =>
        hosts.DestinationHost.Find(FaultHosts.ZoneName) is { State: ZoneState.Running, AuxiliaryState: ZoneAuxiliaryState.None }
        && hosts.Destination.FindGuest(FaultHosts.ZoneName) is { Cpus.IsSuspended: false };
}
