using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation;
using KernelZones.Migration.Tests.Engine;
using KernelZones.Testing.Faults;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>Faults the matrix cannot time on its own: the connection breaks while the destination is resuming the zone.</summary>
public sealed class CommitFaultTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_destination_that_cannot_acknowledge_its_resume_keeps_the_zone_and_releases_the_data_connections()
    {
        var cut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var setup = new FaultSetup { CreateGuest = c => new GatedResumeGuest(new InMemoryGuest(c.PhysicalMemory!.Value.Bytes), cut.Task) };
        await using var hosts = new FaultHosts(setup);
        hosts.ControlProxy.Arm(new FaultPlan { Kind = FaultKind.CutRst, Match = static r => r is { Type: ProxyRecord.TlsApplicationData, TypeOrdinal: 14 }, AfterForwarding = true, OnFired = cut.SetResult });
        var credential = ControlCredential.FromPassword("root", MigrationFixture.Password);

        var result = await hosts.Source.MigrateAsync(FaultHosts.ZoneName, hosts.Guest, hosts.Address, credential, FaultHosts.Options(new ProgressHooks())).WaitAsync(s_timeout);
        await hosts.Destination.WhenConnectionsEndedAsync().WaitAsync(s_timeout);

        Assert.Equal(MigrationOutcome.InDoubt, result.Outcome);
        Assert.NotNull(hosts.Destination.FindGuest(FaultHosts.ZoneName));
        Assert.Equal(0, hosts.Destination.PendingTransfers);
        Assert.Empty(await ResourceAudit.WaitForSocketsClosedAsync(hosts.EngineSocket, TimeSpan.FromSeconds(3)));
        Assert.Equal(IncomingMigrationState.Resumed, await hosts.Source.QueryIncomingStateAsync(hosts.Address, credential, result.MigrationId).WaitAsync(s_timeout));
    }

    /// <summary>A destination guest whose vCPUs resume only once the test says so (here: once the control connection is cut).</summary>
    private sealed class GatedResumeGuest(InMemoryGuest inner, Task gate) : IGuest, IDisposable
    {
        private readonly GatedCpus _cpus = new(inner.Cpus, gate);

        public IGuestMemory Memory => inner.Memory;

        public IVirtualCpus Cpus => _cpus;

        public IDeviceState Devices => inner.Devices;

        public IGuestThrottle? Throttle => inner.Throttle;

        public void Dispose() => inner.Dispose();

        private sealed class GatedCpus(IVirtualCpus cpus, Task gate) : IVirtualCpus
        {
            public bool IsSuspended => cpus.IsSuspended;

            public ValueTask SuspendAsync(CancellationToken cancellationToken) => cpus.SuspendAsync(cancellationToken);

            public async ValueTask ResumeAsync(CancellationToken cancellationToken)
            {
                await gate.WaitAsync(cancellationToken);
                await cpus.ResumeAsync(cancellationToken);
            }
        }
    }
}
