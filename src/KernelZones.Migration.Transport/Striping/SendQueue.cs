namespace KernelZones.Migration.Transport.Striping;

/// <summary>
/// What a stripe's sending thread is asked to do, in order: batches, keep-alives, and last the end of the stream.
/// Callers add from any thread and await the request's <see cref="SendRequest.Done"/>; the sending thread blocks in
/// <see cref="Take"/> while there is nothing to send.
/// </summary>
/// <remarks>
/// Adding the end of the stream closes the queue to further requests; <see cref="Close"/> (on abort) also fails every
/// request still waiting, so that no caller waits for a thread that has stopped. Thread-safe.
/// </remarks>
internal sealed class SendQueue
{
    private readonly Queue<SendRequest> _requests = new();
    private bool _endQueued;
    private Exception? _closedBy;

    /// <summary>Queues <paramref name="request"/>; false after the end of the stream was queued or the queue was closed.</summary>
    public bool TryAdd(SendRequest request)
    {
        lock (_requests)
        {
            if (_endQueued || _closedBy is not null)
            {
                return false;
            }

            _requests.Enqueue(request);
            _endQueued = request.Batch is null;
            Monitor.Pulse(_requests);
            return true;
        }
    }

    /// <summary>Waits for the next request; <see langword="null"/> once the queue is closed.</summary>
    public SendRequest? Take()
    {
        lock (_requests)
        {
            while (_closedBy is null)
            {
                if (_requests.TryDequeue(out SendRequest? request))
                {
                    return request;
                }

                Monitor.Wait(_requests);
            }

            return null;
        }
    }

    /// <summary>Refuses further requests, fails those still queued with <paramref name="reason"/> and wakes the sending thread.</summary>
    public void Close(Exception reason)
    {
        SendRequest[] left;
        lock (_requests)
        {
            _closedBy ??= reason;
            left = [.. _requests];
            _requests.Clear();
            Monitor.PulseAll(_requests);
        }

        foreach (SendRequest request in left)
        {
            request.Done.TrySetException(reason);
        }
    }
}

/// <summary>A queued unit of work for a stripe's sending thread: a batch, or the end of the stream.</summary>
internal sealed class SendRequest
{
    private SendRequest(IRecordBatch? batch)
    {
        Batch = batch;
    }

    /// <summary>The batch to send, or <see langword="null"/> for the end-of-stream record.</summary>
    public IRecordBatch? Batch { get; }

    /// <summary>Completes when every record of the request has been written to the socket; faults with the transfer's first failure.</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static SendRequest For(IRecordBatch batch) => new(batch);

    public static SendRequest EndOfStream() => new(null);
}
