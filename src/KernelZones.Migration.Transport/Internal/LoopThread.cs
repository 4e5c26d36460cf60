using System.IO.Pipelines;

namespace KernelZones.Migration.Transport;

/// <summary>
/// One dedicated thread that runs one async loop and every continuation of it: the loop's awaits on pipes
/// come back through <see cref="PipeScheduler"/>, its other awaits (with <c>ConfigureAwait(true)</c>) through
/// the thread's <see cref="SynchronizationContext"/>. Work items are structs in a queue: posting allocates nothing.
/// </summary>
internal sealed class LoopThread
{
    private readonly Queue<(Action<object?> Action, object? State)> _queue = new();
    private readonly Thread _thread;
    private readonly Func<Task> _body;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stopping;

    public LoopThread(string name, Func<Task> body)
    {
        _body = body;
        Scheduler = new LoopPipeScheduler(this);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    public PipeScheduler Scheduler { get; }

    /// <summary>Completes when the loop has finished and the thread has exited its run method.</summary>
    public Task Completion => _completion.Task;

    public bool IsAlive => _thread.IsAlive;

    public void Start() => _thread.Start();

    private void Enqueue(Action<object?> action, object? state)
    {
        lock (_queue)
        {
            _queue.Enqueue((action, state));
            if (_queue.Count == 1)
            {
                Monitor.Pulse(_queue);
            }
        }
    }

    private void Run()
    {
        SynchronizationContext.SetSynchronizationContext(new LoopSynchronizationContext(this));
        Task loop;
        try
        {
            loop = _body();
        }
        catch (Exception ex)
        {
            loop = Task.FromException(ex);
        }

        loop.ContinueWith(static (_, s) => ((LoopThread)s!).Stop(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Pump();
        _completion.TrySetFromTask(loop);
    }

    private void Pump()
    {
        while (true)
        {
            (Action<object?> Action, object? State) item;
            lock (_queue)
            {
                while (_queue.Count == 0)
                {
                    if (_stopping)
                    {
                        return;
                    }

                    Monitor.Wait(_queue);
                }

                item = _queue.Dequeue();
            }

            item.Action(item.State);
        }
    }

    private void Stop()
    {
        lock (_queue)
        {
            _stopping = true;
            Monitor.Pulse(_queue);
        }
    }

    private sealed class LoopPipeScheduler(LoopThread thread) : PipeScheduler
    {
        public override void Schedule(Action<object?> action, object? state) => thread.Enqueue(action, state);
    }

    private sealed class LoopSynchronizationContext(LoopThread thread) : SynchronizationContext
    {
        private static readonly Action<object?> s_invoke = static s =>
        {
            var (callback, state) = ((SendOrPostCallback, object?))s!;
            callback(state);
        };

        public override void Post(SendOrPostCallback d, object? state) => thread.Enqueue(s_invoke, (d, state));

        public override SynchronizationContext CreateCopy() => this;
    }
}
