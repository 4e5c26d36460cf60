namespace KernelZones.Migration.Precopy;

/// <summary>
/// The destination's view of which pre-copy rounds every stripe has delivered: each stripe's latest round-end marker
/// (<see cref="PrecopyRecordKind.RoundEnd"/>), and waiters for "round N has arrived on every stripe".
/// </summary>
/// <remarks>Markers arrive on the stripes' receiving loops, waits run on the control loop. Thread-safe.</remarks>
internal sealed class RoundDelivery
{
    private readonly long[] _delivered;
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RoundDelivery(int stripeCount)
    {
        _delivered = new long[stripeCount];
        Array.Fill(_delivered, -1);
    }

    /// <summary>Records that stripe <paramref name="stripe"/> has delivered everything of round <paramref name="round"/>.</summary>
    public void MarkDelivered(int stripe, long round)
    {
        if ((uint)stripe >= (uint)_delivered.Length || round < 0)
        {
            throw new MigrationException(MigrationFailureKind.Protocol, $"Stripe {stripe} sent an end marker for round {round}, which does not exist.");
        }

        TaskCompletionSource changed;
        lock (_lock)
        {
            _delivered[stripe] = Math.Max(_delivered[stripe], round);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Completes once every stripe has delivered round <paramref name="round"/>.</summary>
    public async Task WaitAsync(long round, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_delivered.All(r => r >= round))
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
