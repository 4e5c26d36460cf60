namespace KernelZones.Migration.Kvm;

/// <summary>How to build a <see cref="KvmGuest"/>.</summary>
/// <remarks>Plain settings; not thread-safe while being changed. The guest copies them at creation.</remarks>
public sealed class KvmGuestOptions
{
    /// <summary>Guest RAM in bytes: a multiple of 4096, from 2 MiB to 3 GiB, and room for the working set above the first 1 MiB; default 64 MiB.</summary>
    public long MemorySize { get; set; } = 64L << 20;

    /// <summary>What the guest program runs; default <see cref="KvmWorkload.Idle"/>.</summary>
    public KvmWorkload Workload { get; set; } = KvmWorkload.Idle;

    /// <summary>The guest's timer interrupt rate (PIT channel 0) in Hz, 19 to 10,000; default 1000.</summary>
    public int TickHz { get; set; } = 1000;

    /// <summary>Guest time between heartbeats, at least one tick; default 10 ms (counted in guest ticks).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The KVM device to open; default <c>/dev/kvm</c>. A guest on another device node (a container's bind mount, a test's missing one) names it here.</summary>
    public string DevicePath { get; set; } = "/dev/kvm";

    /// <summary>Working-set pages the dirty workload re-verifies per step (about one step per tick when paced), 0 to 4096; default 16.</summary>
    public int VerifyPagesPerStep { get; set; } = 16;
}
