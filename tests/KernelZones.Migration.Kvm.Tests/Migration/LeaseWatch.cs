using System.Diagnostics;
using KernelZones.Migration.Guests;

namespace KernelZones.Migration.Kvm.Tests.Migration;

/// <summary>
/// What the lease tests watch, on one clock (<see cref="Stopwatch.GetTimestamp"/>, in-process): when the destination
/// paused the guest it had started, and when the source resumed its own, with what the destination's VM looked like then.
/// </summary>
internal sealed class LeaseWatch
{
    private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The destination's guest, once the destination made it.</summary>
    public DestinationGuest? Destination { get; private set; }

    /// <summary>When the destination's started guest was first suspended (0: never).</summary>
    public long DestinationPausedAt { get; private set; }

    /// <summary>Completes when the destination's started guest was first suspended.</summary>
    public Task DestinationPaused => _paused.Task;

    /// <summary>When the source first resumed its guest after suspending it (0: never).</summary>
    public long SourceResumedAt { get; private set; }

    /// <summary>At the source's resume: whether the destination's VM was suspended, destroyed, and how many console lines it had printed.</summary>
    public (bool Suspended, bool Disposed, int Lines)? DestinationAtSourceResume { get; private set; }

    /// <summary>Called when the destination's guest shows it is ready, before the destination sends its verdict.</summary>
    public Action? OnReady { get; set; }

    /// <summary>Called when the destination starts waiting for its guest's sign of life.</summary>
    public Action? OnReadinessAsked { get; set; }

    public DestinationGuest WatchDestination(KvmGuest guest) => Destination = new DestinationGuest(guest, this);

    public IGuest WatchSource(KvmGuest guest) => new SourceGuest(guest, this);

    /// <summary>The destination's KVM guest, with its pause and its readiness observed.</summary>
    public sealed class DestinationGuest(KvmGuest inner, LeaseWatch watch) : IGuest, IGuestReadiness, IDisposable
    {
        private readonly WatchedCpus _cpus = new(inner.Cpus, onSuspendedAfterResume: watch.OnDestinationPaused, onResumeAfterSuspend: null);

        public KvmGuest Inner => inner;

        public bool Disposed { get; private set; }

        public IGuestMemory Memory => inner.Memory;

        public IVirtualCpus Cpus => _cpus;

        public IDeviceState Devices => inner.Devices;

        public IGuestThrottle? Throttle => inner.Throttle;

        public async Task WaitUntilRunningAsync(CancellationToken cancellationToken)
        {
            watch.OnReadinessAsked?.Invoke();
            await inner.WaitUntilRunningAsync(cancellationToken);
            watch.OnReady?.Invoke();
        }

        public void Dispose()
        {
            Disposed = true;
            inner.Dispose();
        }
    }

    private void OnDestinationPaused()
    {
        if (DestinationPausedAt == 0)
        {
            DestinationPausedAt = Stopwatch.GetTimestamp();
            _paused.TrySetResult();
        }
    }

    private void OnSourceResuming()
    {
        if (SourceResumedAt == 0 && Destination is { } destination)
        {
            DestinationAtSourceResume = (destination.Inner.Cpus.IsSuspended, destination.Disposed, destination.Inner.ConsoleLines.Count);
        }

        if (SourceResumedAt == 0)
        {
            SourceResumedAt = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>The source's KVM guest, with its resume observed.</summary>
    private sealed class SourceGuest(KvmGuest inner, LeaseWatch watch) : IGuest
    {
        private readonly WatchedCpus _cpus = new(inner.Cpus, onSuspendedAfterResume: null, onResumeAfterSuspend: watch.OnSourceResuming);

        public IGuestMemory Memory => inner.Memory;

        public IVirtualCpus Cpus => _cpus;

        public IDeviceState Devices => inner.Devices;

        public IGuestThrottle? Throttle => inner.Throttle;
    }

    /// <summary>vCPUs that report a suspension that follows a resume (a pause of a running guest) and a resume that follows a suspension.</summary>
    private sealed class WatchedCpus(IVirtualCpus inner, Action? onSuspendedAfterResume, Action? onResumeAfterSuspend) : IVirtualCpus
    {
        private bool _resumed;
        private bool _suspended;

        public bool IsSuspended => inner.IsSuspended;

        public async ValueTask SuspendAsync(CancellationToken cancellationToken)
        {
            await inner.SuspendAsync(cancellationToken);
            _suspended = true;
            if (_resumed)
            {
                onSuspendedAfterResume?.Invoke();
            }
        }

        public async ValueTask ResumeAsync(CancellationToken cancellationToken)
        {
            if (_suspended)
            {
                onResumeAfterSuspend?.Invoke();
            }

            await inner.ResumeAsync(cancellationToken);
            _resumed = true;
        }
    }
}
