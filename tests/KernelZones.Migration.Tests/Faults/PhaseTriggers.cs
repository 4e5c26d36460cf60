using KernelZones.Migration.Engine;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>
/// Where each phase is on the wire: the record (or the source's step report) at which a fault aimed at that phase
/// fires. Control records are counted as TLS 1.3 application-data records from the source: 1 Finished, 2 Hello,
/// 3 authentication, 4 ImportConfiguration; later ones are found from the source's step reports, which the engine
/// makes synchronously just before it sends the phase's first message.
/// </summary>
internal static class PhaseTriggers
{
    /// <summary>Page 3 is rewritten before every collection, so a record at its address opens rounds 1, 2 and the final round.</summary>
    private const long DirtiedPageAddress = 3 * 4096;

    /// <summary>Arms <paramref name="kind"/> (null: only <paramref name="onFired"/>) at <paramref name="phase"/> on the control connection.</summary>
    public static void ArmControl(FaultHosts hosts, ProgressHooks hooks, MigrationPhase phase, FaultKind? kind, Action? onFired)
    {
        var proxy = hosts.ControlProxy;
        switch (phase)
        {
            case MigrationPhase.Connect:
                proxy.Arm(new FaultPlan { Kind = kind, AtAccept = true, OnFired = onFired });
                break;
            case MigrationPhase.Authenticate:
                proxy.Arm(new FaultPlan { Kind = kind, Match = static r => IsApplicationData(r, 2), OnFired = onFired });
                break;
            case MigrationPhase.Import:
                proxy.Arm(new FaultPlan { Kind = kind, Match = static r => IsApplicationData(r, 4), OnFired = onFired });
                break;
            case MigrationPhase.Suspend:
                hooks.On(MigrationStep.Suspending, _ => true, () =>
                {
                    if (kind is { } k)
                    {
                        proxy.FireNow(k, onFired);
                    }
                    else
                    {
                        onFired?.Invoke();
                    }
                });
                break;
            default:
                var (step, when, direction, skip) = ControlMoment(phase);
                hooks.On(step, when, () => proxy.Arm(new FaultPlan { Kind = kind, Direction = direction, Skip = skip, Match = static r => r.Type == ProxyRecord.TlsApplicationData, OnFired = onFired }));
                break;
        }
    }

    /// <summary>Arms <paramref name="kind"/> (null: only <paramref name="onFired"/>) at <paramref name="phase"/> on the first data connection.</summary>
    public static void ArmData(FaultHosts hosts, ProgressHooks hooks, MigrationPhase phase, FaultKind? kind, Action? onFired)
    {
        var proxy = hosts.DataProxy;
        Func<ProxyRecord, bool>? match = phase switch
        {
            MigrationPhase.Authenticate => static r => r.Index == 0,
            MigrationPhase.Round0 => static r => r.Index == 5,
            MigrationPhase.LaterRounds or MigrationPhase.Suspend => static r => r.Position == DirtiedPageAddress,
            MigrationPhase.FinalRound => static r => r is { Type: 1, Flags: 1 }, // the device state closes the final round
            MigrationPhase.Verification => static r => r.Type == 3, // the source's end-of-stream record
            _ => null,
        };
        if (phase == MigrationPhase.Connect)
        {
            proxy.Arm(new FaultPlan { Kind = kind, AtAccept = true, OnFired = onFired });
        }
        else if (match is not null)
        {
            proxy.Arm(new FaultPlan { Kind = kind, Match = match, Skip = phase == MigrationPhase.Suspend ? 2 : 0, OnFired = onFired });
        }
        else if (phase is MigrationPhase.Commit or MigrationPhase.Acknowledgement)
        {
            // Nothing flows on the data connection any more: the fault hits it when the control record goes by.
            ArmControl(hosts, hooks, phase, null, () =>
            {
                onFired?.Invoke();
                if (kind is { } k)
                {
                    proxy.FireNow(k);
                }
            });
        }
        else
        {
            throw new InvalidOperationException($"No data connection exists at {phase}.");
        }
    }

    private static bool IsApplicationData(ProxyRecord record, long ordinal) =>
        record.Type == ProxyRecord.TlsApplicationData && record.TypeOrdinal == ordinal;

    private static (MigrationStep Step, Func<MigrationProgress, bool> When, FlowDirection Direction, int Skip) ControlMoment(MigrationPhase phase) => phase switch
    {
        MigrationPhase.Attach => (MigrationStep.Attaching, static _ => true, FlowDirection.Upstream, 0),
        MigrationPhase.Boot => (MigrationStep.BootingMigratingIn, static _ => true, FlowDirection.Upstream, 0),
        MigrationPhase.CompatibilityCheck => (MigrationStep.CheckingCompatibility, static _ => true, FlowDirection.Upstream, 0),
        MigrationPhase.Round0 => (MigrationStep.Starting, static p => p.Round is null, FlowDirection.Upstream, 0), // StartTransfer
        MigrationPhase.LaterRounds => (MigrationStep.Starting, static p => p.Round?.Round == 0, FlowDirection.Upstream, 0), // RoundComplete(1)
        MigrationPhase.FinalRound => (MigrationStep.WaitingForCompletion, static _ => true, FlowDirection.Upstream, 0), // Switchover
        MigrationPhase.Verification => (MigrationStep.WaitingForCompletion, static _ => true, FlowDirection.Downstream, 0), // VerifyResult
        MigrationPhase.Commit => (MigrationStep.WaitingForCompletion, static _ => true, FlowDirection.Upstream, 1), // Commit
        MigrationPhase.Acknowledgement => (MigrationStep.WaitingForCompletion, static _ => true, FlowDirection.Downstream, 1), // Resumed
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };
}
