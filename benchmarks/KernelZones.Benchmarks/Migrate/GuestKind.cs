namespace KernelZones.Benchmarks.Migrate;

/// <summary>What the migrated zone runs on (<c>--guest</c>).</summary>
internal enum GuestKind
{
    /// <summary>The simulated guest: memory held in this process, dirtied by a <see cref="Migration.Simulation.GuestWorkload"/>.</summary>
    Sim,

    /// <summary>A KVM virtual machine running the guest program, which prints heartbeats and dirties its own memory.</summary>
    Kvm,
}
