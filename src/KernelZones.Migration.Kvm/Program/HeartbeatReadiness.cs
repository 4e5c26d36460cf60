namespace KernelZones.Migration.Kvm.Program;

/// <summary>
/// The guest program's sign of life, watched on the UART without taking lines from the console: the first
/// <c>heartbeat … ok</c> line after the vCPUs last resumed (or started) whose tick count is above the count at the
/// resume, so that at least one timer interrupt reached the guest here: a heartbeat that was already due at the
/// suspension prints at once, before any interrupt, and proves nothing about the restored interrupt controllers and
/// timer. A <c>CORRUPT</c> line, a fault or the guest's end fails the wait instead. A line the UART had partly received
/// before the resume (a restored state can hold one that the source's vCPU began sending) is the source's, not a sign
/// of this run, and does not count.
/// </summary>
/// <remarks>Thread-safety: lines come from the vCPU thread, resumes and waits from any thread; a lock orders them.</remarks>
internal sealed class HeartbeatReadiness
{
    private readonly object _lock = new();
    private TaskCompletionSource _running = NewSignal();
    private Exception? _stopped;
    private bool _skipLine;
    private uint _ticksAtResume;

    /// <summary>The vCPUs are about to run again after a suspension: the next heartbeat begun from here is the one to wait for.</summary>
    /// <param name="partialLine">Whether the UART holds part of a line now.</param>
    /// <param name="ticks">The guest's tick counter now (its status block).</param>
    public void OnResuming(bool partialLine, uint ticks)
    {
        lock (_lock)
        {
            if (_stopped is null && _running.Task.IsCompleted)
            {
                _running = NewSignal();
            }

            _skipLine = partialLine;
            _ticksAtResume = ticks;
        }
    }

    /// <summary>A complete line the guest wrote to its console.</summary>
    public void OnLine(string line)
    {
        lock (_lock)
        {
            if (_skipLine)
            {
                _skipLine = false;
            }
            else if (!line.StartsWith("heartbeat ", StringComparison.Ordinal))
            {
                // Not a heartbeat: no sign either way.
            }
            else if (line.EndsWith(" ok", StringComparison.Ordinal))
            {
                if (Ticks(line) is uint ticks && ticks > _ticksAtResume)
                {
                    _running.TrySetResult();
                }
            }
            else if (line.Contains(" CORRUPT ", StringComparison.Ordinal))
            {
                _running.TrySetException(new InvalidDataException($"The guest reported corrupt memory: '{line}'."));
            }
        }
    }

    /// <summary>The vCPUs stopped for good: with the guest's fault, or null when the guest was disposed.</summary>
    public void OnStopped(Exception? fault)
    {
        lock (_lock)
        {
            _stopped = fault ?? new ObjectDisposedException(nameof(KvmGuest), "The guest was stopped.");
            if (!_running.TrySetException(_stopped))
            {
                _running = NewSignal();
                _running.SetException(_stopped);
            }
        }
    }

    /// <summary>Completes at the first heartbeat after the last resume; faults when the guest reports corruption or stops.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        Task running;
        lock (_lock)
        {
            running = _running.Task;
        }

        return running.WaitAsync(cancellationToken);
    }

    /// <summary>The <c>ticks=&lt;n&gt;</c> of a heartbeat line, or null when it has none.</summary>
    private static uint? Ticks(string line)
    {
        int start = line.IndexOf(" ticks=", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += " ticks=".Length;
        int end = line.IndexOf(' ', start);
        return uint.TryParse(line.AsSpan(start, (end < 0 ? line.Length : end) - start), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint ticks)
            ? ticks
            : null;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
