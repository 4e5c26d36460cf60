namespace KernelZones.Migration.Configuration;

/// <summary>How a kernel zone's memory is backed by pages (<c>capped-memory pagesize-policy</c>).</summary>
public enum PageSizePolicy
{
    /// <summary><c>largest-only</c>: only the largest page size; the zone fails to boot otherwise.</summary>
    LargestOnly,

    /// <summary><c>largest-available</c>: the largest page size available at boot.</summary>
    LargestAvailable,

    /// <summary><c>smallest-only</c>: only the smallest page size.</summary>
    SmallestOnly,

    /// <summary><c>fixed</c>: the page size given by <c>pagesize</c> (Solaris 11.4 SRU45 and later).</summary>
    Fixed,
}
