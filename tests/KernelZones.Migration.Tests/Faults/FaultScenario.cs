using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Tests.Engine;
using KernelZones.Migration.Tests.Reliability;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>Runs one cell of the fault matrix end to end and checks every invariant (docs/design.md, "Invariants").</summary>
internal static class FaultScenario
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(20);

    public static async Task<FaultCaseRecord> RunAsync(FaultCase cell)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var check = new InvariantCheck();
        var hosts = new FaultHosts(Setup(cell));
        int[] ports = hosts.Ports;
        FaultOutcome outcome;
        string detail;
        Guid migrationId;
        long bytesLost = 0;
        try
        {
            var before = PageDigest.Compute(hosts.Memory);
            var destinationBefore = hosts.DestinationHost.Find(FaultHosts.ZoneName)?.Status;
            (outcome, detail, migrationId) = await MigrateAsync(hosts, cell, check);
            await hosts.Destination.WhenConnectionsEndedAsync().WaitAsync(s_limit);
            if (outcome == FaultOutcome.InDoubt)
            {
                detail += "; " + await ResolveInDoubtAsync(hosts, migrationId, check);
            }

            bool destinationHasIt = hosts.Destination.FindGuest(FaultHosts.ZoneName) is not null;
            check.ExactlyOneRuns(hosts, destinationHasIt);
            if (destinationHasIt)
            {
                bytesLost = check.DestinationEqualsSource(hosts);
            }
            else
            {
                check.SourceUnchanged(hosts, before);
                check.DestinationClean(hosts, destinationBefore);
            }

            check.OutcomeExpected(cell, outcome, hosts.ControlProxy.Effects.Concat(hosts.DataProxy.Effects).ToArray());
            check.Equal(0, hosts.Destination.PendingTransfers, "memory transfers the destination still holds once its connections ended");
            check.NoSocketLeft("by the engine once both hosts were done", await ResourceAudit.WaitForSocketsClosedAsync(hosts.EngineSocket, TimeSpan.FromSeconds(3)));
        }
        finally
        {
            await hosts.DisposeAsync();
        }

        check.NoSocketLeft("after the hosts were disposed", await ResourceAudit.WaitForSocketsClosedAsync(ports, TimeSpan.FromSeconds(5)));
        string effects = string.Join("; ", hosts.ControlProxy.Effects.Concat(hosts.DataProxy.Effects));
        return new FaultCaseRecord(cell.Fault, cell.Phase.ToString(), cell.Target.ToString().ToLowerInvariant(), outcome.ToString(), detail, effects, check.Failures, bytesLost, clock.Elapsed);
    }

    private static async Task<(FaultOutcome, string, Guid)> MigrateAsync(FaultHosts hosts, FaultCase cell, InvariantCheck check)
    {
        using var cancel = new CancellationTokenSource();
        var hooks = new ProgressHooks();
        Arm(hosts, hooks, cell, cancel);
        var credential = ControlCredential.FromPassword("root", Setup(cell).Password ?? MigrationFixture.Password);
        try
        {
            var result = await hosts.Source.MigrateAsync(FaultHosts.ZoneName, hosts.Guest, hosts.Address, credential, FaultHosts.Options(hooks), cancel.Token).WaitAsync(s_limit);
            return result.Outcome == MigrationOutcome.InDoubt
                ? (FaultOutcome.InDoubt, "commit unacknowledged", result.MigrationId)
                : (FaultOutcome.Succeeded, $"{result.Rounds.Count} rounds, {result.BytesOnWire} bytes on the wire", result.MigrationId);
        }
        catch (MigrationException e)
        {
            check.ErrorClear(cell, e);
            return (FaultOutcome.RolledBack, $"{e.Kind}: {e.Message.ReplaceLineEndings(" ")}", Guid.Empty);
        }
    }

    private static void Arm(FaultHosts hosts, ProgressHooks hooks, FaultCase cell, CancellationTokenSource cancel)
    {
        switch (cell.Target)
        {
            case FaultTarget.Control:
                PhaseTriggers.ArmControl(hosts, hooks, cell.Phase, cell.Kind, null);
                break;
            case FaultTarget.Data:
                PhaseTriggers.ArmData(hosts, hooks, cell.Phase, cell.Kind, null);
                break;
            case FaultTarget.Source when cell.Phase is >= MigrationPhase.Round0 and <= MigrationPhase.Verification and not MigrationPhase.Suspend:
                PhaseTriggers.ArmData(hosts, hooks, cell.Phase, null, cancel.Cancel);
                break;
            case FaultTarget.Source:
                PhaseTriggers.ArmControl(hosts, hooks, cell.Phase, null, cancel.Cancel);
                break;
        }
    }

    /// <summary>What an operator does with an in-doubt outcome: ask the destination, then resume or release the source's copy.</summary>
    private static async Task<string> ResolveInDoubtAsync(FaultHosts hosts, Guid migrationId, InvariantCheck check)
    {
        check.NeitherRunsWhileInDoubt(hosts);
        var credential = ControlCredential.FromPassword("root", MigrationFixture.Password);
        var expected = hosts.Destination.FindGuest(FaultHosts.ZoneName) is null ? IncomingMigrationState.Aborted : IncomingMigrationState.Resumed;
        var state = await hosts.Source.QueryIncomingStateAsync(hosts.Address, credential, migrationId, CancellationToken.None).WaitAsync(s_limit);
        check.Equal(expected, state, "the destination's answer to the outcome query");
        if (state is IncomingMigrationState.Resumed or IncomingMigrationState.Committed)
        {
            hosts.Zone.Halt();
            hosts.Zone.Detach();
        }
        else
        {
            await hosts.Cpus.ResumeAsync(CancellationToken.None);
            hosts.Zone.EndMigrationOut();
        }

        return $"query answered {state}";
    }

    private static FaultSetup Setup(FaultCase cell) => cell.Fault switch
    {
        FaultMatrix.WrongPassword => new FaultSetup { Password = "not the password" },
        FaultMatrix.ZoneExists => new FaultSetup { Prepare = host => host.Configure(MigrationFixture.Seed(FaultHosts.MemoryBytes)).Install() },
        FaultMatrix.NotAuthorized => new FaultSetup { Authorization = ZoneAuthorization.For(["other-zone"]) },
        FaultMatrix.NoGuest => new FaultSetup { CreateGuest = c => throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{c.ZoneName}': the hypervisor cannot allocate {c.PhysicalMemory} of guest memory.") },
        FaultMatrix.Incompatible => new FaultSetup { Capabilities = new KernelZones.Migration.Negotiation.DestinationCapabilities { FreeMemoryBytes = 1 << 20 } },
        _ => FaultSetup.Willing,
    };
}
