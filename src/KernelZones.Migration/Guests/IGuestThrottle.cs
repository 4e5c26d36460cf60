namespace KernelZones.Migration.Guests;

/// <summary>
/// Auto-converge hook: lets the engine slow a guest that dirties memory faster than the link can carry it,
/// by letting its vCPUs run only a fraction of the time.
/// </summary>
/// <remarks>Thread-safety: all members may be called from any thread.</remarks>
public interface IGuestThrottle
{
    /// <summary>The fraction of full speed the guest may run at, in (0, 1]; 1 (the default) means not throttled.</summary>
    double RunFraction { get; }

    /// <summary>Sets <see cref="RunFraction"/>; the guest follows within a few milliseconds.</summary>
    /// <param name="fraction">A value greater than 0 and at most 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not in (0, 1] (NaN included).</exception>
    void SetRunFraction(double fraction);
}
