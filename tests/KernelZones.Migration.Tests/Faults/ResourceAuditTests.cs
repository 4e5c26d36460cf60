using KernelZones.Migration.Tests.Reliability;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>A collection that xunit runs alone, after every parallel collection (so after the whole fault matrix).</summary>
[CollectionDefinition(nameof(AfterParallelTests), DisableParallelization = true)]
public sealed class AfterParallelTests;

/// <summary>Process-wide checks that only mean something once no migration runs any more.</summary>
[Collection(nameof(AfterParallelTests))]
public sealed class ResourceAuditTests
{
    [Fact]
    public async Task No_stripe_thread_outlives_the_migrations_of_the_run()
    {
        Assert.SkipUnless(ResourceAudit.IsSupported, "needs Linux /proc to list the process's threads");

        int alive = await ResourceAudit.WaitForStripeThreadsEndedAsync(TimeSpan.FromSeconds(10));

        ReliabilityReport.RecordFigure("Fault injection: resources", "stripe threads (kz-migr) alive after every migration of the run", alive.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, alive);
    }
}
