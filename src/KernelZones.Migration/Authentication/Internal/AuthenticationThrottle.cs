using System.Collections.Concurrent;
using System.Net;

namespace KernelZones.Migration.Authentication.Internal;

/// <summary>
/// Slows down repeated authentication failures from one address: the n-th consecutive failure waits
/// base × 2^(n-1), at most the maximum. A success clears the address. The table is bounded.
/// </summary>
internal sealed class AuthenticationThrottle
{
    private const int MaxTrackedAddresses = 4096;
    private readonly ConcurrentDictionary<IPAddress, int> _failures = new();
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;

    public AuthenticationThrottle(TimeSpan baseDelay, TimeSpan maxDelay)
    {
        _baseDelay = baseDelay;
        _maxDelay = maxDelay;
    }

    /// <summary>Records a failure and returns the consecutive failure count and the delay to apply before answering.</summary>
    public (int Failures, TimeSpan Delay) RecordFailure(IPAddress address)
    {
        if (_failures.Count >= MaxTrackedAddresses)
        {
            // A flood of distinct addresses must not grow the table without bound; forgetting is the safe direction.
            _failures.Clear();
        }

        int failures = _failures.AddOrUpdate(address, 1, (_, n) => n == int.MaxValue ? n : n + 1);
        int exponent = Math.Min(failures - 1, 30);
        double ticks = Math.Min(_baseDelay.Ticks * Math.Pow(2, exponent), _maxDelay.Ticks);
        return (failures, TimeSpan.FromTicks((long)ticks));
    }

    public void RecordSuccess(IPAddress address) => _failures.TryRemove(address, out _);
}
