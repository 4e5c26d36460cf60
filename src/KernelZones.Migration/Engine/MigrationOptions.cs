using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Engine;

/// <summary>How a source migrates one zone (<c>zoneadm migrate</c>'s options and the pre-copy limits).</summary>
/// <remarks>Immutable after construction; safe to share.</remarks>
public sealed class MigrationOptions
{
    /// <summary>The cipher for the memory stream (<c>-c</c>): <see langword="null"/> picks the first of the source's preference order both hosts support; <c>none</c> needs both hosts' opt-in.</summary>
    public string? Cipher { get; init; }

    /// <summary>An upper bound on data connections, on top of the rule "one per 2 GiB, at most the smaller CPU count". 0 (default) means no extra cap.</summary>
    public int MaxStripes { get; init; }

    /// <summary>The longest the zone may be suspended: switch over once the dirty set fits in it at the measured rate. Default 300 ms.</summary>
    public TimeSpan DowntimeTarget { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Pre-copy rounds before <see cref="OnLimit"/> applies, round 0 included. Default 30.</summary>
    public int MaxRounds { get; init; } = 30;

    /// <summary>Total bytes sent, as a multiple of the zone's memory, before <see cref="OnLimit"/> applies. Default 3.</summary>
    public double MaxBytesFactor { get; init; } = 3;

    /// <summary>Wall time of pre-copy before <see cref="OnLimit"/> applies. Default 10 minutes.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>What to do at a limit. Default <see cref="LimitPolicy.Cancel"/>.</summary>
    public LimitPolicy OnLimit { get; init; } = LimitPolicy.Cancel;

    /// <summary>Dry run (<c>-n</c>): stop after the compatibility check, clean the destination up, and change nothing. Default false.</summary>
    public bool DryRun { get; init; }

    /// <summary>Transport settings for the data connections. Default <see cref="StripeOptions.Default"/>; without a logger factory of its own, the stripes log through the source's <c>ControlClientOptions.LoggerFactory</c>.</summary>
    public StripeOptions Transport { get; init; } = StripeOptions.Default;

    /// <summary>Receives step messages and progress numbers; <see langword="null"/> reports nothing.</summary>
    public IProgress<MigrationProgress>? Progress { get; init; }
}
