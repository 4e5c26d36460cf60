namespace KernelZones.Migration.Negotiation;

/// <summary>The number of data connections: one per 2 GiB of zone memory, at least 1, at most the smaller CPU count and the cap.</summary>
internal static class StripeRule
{
    /// <summary>Zone memory per stripe: 2 GiB.</summary>
    public const long BytesPerStripe = 2L << 30;

    /// <summary>Computes the stripe count.</summary>
    /// <param name="memoryBytes">The zone's memory in bytes; 0 or less counts as less than 2 GiB.</param>
    /// <param name="sourceCpus">The source's CPU count (values below 1 count as 1).</param>
    /// <param name="destinationCpus">The destination's CPU count (values below 1 count as 1).</param>
    /// <param name="cap">An optional upper bound; 0 or less means none.</param>
    public static int Count(long memoryBytes, int sourceCpus, int destinationCpus, int cap = 0)
    {
        long byMemory = Math.Max(1, memoryBytes / BytesPerStripe);
        long limit = Math.Max(1, Math.Min(sourceCpus, destinationCpus));
        if (cap > 0)
        {
            limit = Math.Min(limit, cap);
        }

        return (int)Math.Min(byMemory, limit);
    }
}
