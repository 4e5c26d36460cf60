namespace KernelZones.Migration.Transport;

/// <summary>
/// A thread of its own for blocking socket work — a stripe's sending or receiving loop, a connection's handshake —
/// with a task that completes when the work has returned and faults with what it threw.
/// </summary>
/// <remarks>
/// Blocking calls on a socket's own thread are what keeps the socket out of the runtime's event loop: .NET registers
/// a socket with its epoll engine only when an asynchronous operation is started on it, so a socket used only
/// synchronously stays a plain blocking descriptor that the kernel wakes its caller for and nothing else watches.
/// A blocking call is ended by closing the socket (<see cref="System.Net.Sockets.Socket.Dispose()"/>), which is
/// how deadlines, cancellation and aborts reach it.
/// </remarks>
internal sealed class DedicatedThread
{
    private readonly Thread _thread;
    private readonly Action _body;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DedicatedThread(string name, Action body)
    {
        _body = body;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    /// <summary>Completes when the work has returned; faults with its exception.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Whether the thread is still alive; once the work has returned, allows the thread up to a second to exit.</summary>
    public bool IsAlive => !(Completion.IsCompleted && _thread.Join(TimeSpan.FromSeconds(1)));

    /// <summary>Starts <paramref name="body"/> on a new background thread, without the caller's execution context: the thread belongs to the transfer, not to the call that started it.</summary>
    public static DedicatedThread Start(string name, Action body)
    {
        var thread = new DedicatedThread(name, body);
        thread._thread.UnsafeStart();
        return thread;
    }

    private void Run()
    {
        try
        {
            _body();
            _completion.TrySetResult();
        }
        catch (Exception ex)
        {
            _completion.TrySetException(ex);
        }
    }
}
