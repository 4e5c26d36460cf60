namespace KernelZones.Migration.Kvm.Program;

/// <summary>
/// The guest program's sign of life, watched on the UART without taking lines from the console: the first
/// <c>heartbeat … ok</c> line after the vCPUs last resumed (or started). A <c>CORRUPT</c> line, a fault or the guest's
/// end fails the wait instead. A line the UART had partly received before the resume (a restored state can hold one that
/// the source's vCPU began sending) is the source's, not a sign of this run, and does not count.
/// </summary>
/// <remarks>Thread-safety: lines come from the vCPU thread, resumes and waits from any thread; a lock orders them.</remarks>
internal sealed class HeartbeatReadiness
{
    private readonly object _lock = new();
    private TaskCompletionSource _running = NewSignal();
    private Exception? _stopped;
    private bool _skipLine;

    /// <summary>The vCPUs are about to run again after a suspension: the next heartbeat begun from here is the one to wait for.</summary>
    /// <param name="partialLine">Whether the UART holds part of a line now.</param>
    public void OnResuming(bool partialLine)
    {
        lock (_lock)
        {
            if (_stopped is null && _running.Task.IsCompleted)
            {
                _running = NewSignal();
            }

            _skipLine = partialLine;
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
                _running.TrySetResult();
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

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
