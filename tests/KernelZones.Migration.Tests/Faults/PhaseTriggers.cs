using KernelZones.Migration.Engine;
using KernelZones.Testing.Faults;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>
/// Where each phase is on the wire: the record at which a fault aimed at that phase fires. The source's control
/// messages are counted as TLS 1.3 application-data records (1 Finished, 2 Hello, 3 authentication, 4 ImportConfiguration,
/// 5 Attach, 6 BootMigratingIn, 7 CheckCompatibility, 8 Negotiate, 9 StartTransfer, 10-12 RoundComplete 0-2,
/// 13 Switchover, 14 Commit): the sequence is fixed by the engine and the three-round options. The destination's
/// answers are found causally: its first record after the proxy forwarded the request. (Arming from the source's
/// step reports would race the source's own earlier records still in the socket buffers.)
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
            case MigrationPhase.Suspend:
                // No control message marks it: the fault fires between records when the source reports the step.
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
            case MigrationPhase.Acknowledgement when kind is FaultKind.CutFin or FaultKind.CutRst or FaultKind.Stall:
                // The destination has the Commit and is resuming the zone: its acknowledgement meets the broken connection.
                proxy.Arm(new FaultPlan { Kind = kind, Match = static r => IsApplicationData(r, 14), AfterForwarding = true, OnFired = onFired });
                break;
            case MigrationPhase.Verification or MigrationPhase.Acknowledgement:
                long request = phase == MigrationPhase.Verification ? 13 : 14;
                proxy.Arm(new FaultPlan
                {
                    Match = r => IsApplicationData(r, request),
                    OnFired = () => proxy.Arm(new FaultPlan { Kind = kind, Direction = FlowDirection.Downstream, Match = static r => r.Type == ProxyRecord.TlsApplicationData, OnFired = onFired }),
                });
                break;
            default:
                long ordinal = SourceMessage(phase);
                proxy.Arm(new FaultPlan { Kind = kind, Match = r => IsApplicationData(r, ordinal), OnFired = onFired });
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

    private static long SourceMessage(MigrationPhase phase) => phase switch
    {
        MigrationPhase.Authenticate => 2, // Hello
        MigrationPhase.Import => 4,
        MigrationPhase.Attach => 5,
        MigrationPhase.Boot => 6,
        MigrationPhase.CompatibilityCheck => 7,
        MigrationPhase.Round0 => 9, // StartTransfer
        MigrationPhase.LaterRounds => 11, // RoundComplete(1)
        MigrationPhase.FinalRound => 13, // Switchover
        MigrationPhase.Commit => 14,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };
}
