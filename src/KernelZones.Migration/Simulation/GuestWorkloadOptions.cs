namespace KernelZones.Migration.Simulation;

/// <summary>How a <see cref="GuestWorkload"/> dirties memory.</summary>
/// <remarks>Immutable once the workload is created; checked by the <see cref="GuestWorkload"/> constructor.</remarks>
public sealed class GuestWorkloadOptions
{
    /// <summary>Dirtying rate in MiB per second of pages dirtied (each write dirties one page); default 64. Greater than 0.</summary>
    public double DirtyMiBPerSecond { get; init; } = 64;

    /// <summary>Byte offset of the working set in guest memory; default 0. Rounded down to a page boundary.</summary>
    public long WorkingSetOffset { get; init; }

    /// <summary>Size of the working set in bytes, at least one page; default 0, meaning all memory from <see cref="WorkingSetOffset"/> on.</summary>
    public long WorkingSetBytes { get; init; }

    /// <summary>Fraction of the working set that is hot (its first pages); default 0.2. In (0, 1].</summary>
    public double HotSetFraction { get; init; } = 0.2;

    /// <summary>Fraction of writes that go to the hot set; default 0.8. In [0, 1]; the rest go to the cold pages.</summary>
    public double HotWriteFraction { get; init; } = 0.8;

    /// <summary>Random bytes stored by each write, 1 to the page size; default 64. The page size writes whole pages.</summary>
    public int BytesPerWrite { get; init; } = 64;

    /// <summary>Seed for page choice and data, so that runs can be repeated; default 0.</summary>
    public int Seed { get; init; }
}
