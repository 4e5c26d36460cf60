using KernelZones.Migration.Guests;
using KernelZones.Migration.Simulation.Internal;

namespace KernelZones.Migration.Simulation;

/// <summary>Population: backing the whole memory with RAM on background threads while the caller goes on.</summary>
internal sealed unsafe partial class InMemoryGuestMemory : IBackgroundPopulation
{
    // A populating thread looks for a stop (the memory is about to be unmapped) between chunks of this size.
    private const long PopulationChunkBytes = 8L << 20;

    // A memory smaller than two of these is populated by one thread.
    private const long MinSliceBytes = 64L << 20;

    private readonly Task _populated;
    private TaskCompletionSource? _population;
    private Thread[]? _populators;
    private int _runningPopulators;
    private volatile bool _stopPopulating;

    /// <summary>
    /// Completes when every page is backed by RAM: at once unless the memory was created with <c>populate: true</c>.
    /// Is canceled when the memory is disposed first. Writes need not wait for it (population never changes a byte);
    /// a destination waits for it before the first page arrives, so that the page faults do not compete with the
    /// transfer.
    /// </summary>
    /// <remarks>Thread-safety: may be read and awaited from any thread.</remarks>
    public Task Populated => _populated;

    /// <summary>The operating system's reservation behind this memory, for tests.</summary>
    internal AnonymousMapping Mapping => _mapping;

    /// <summary>Starts one thread per CPU (fewer for a small memory), each backing its own contiguous slice in address order.</summary>
    private Task StartPopulating()
    {
        int threads = (int)Math.Clamp(_mapping.Length / MinSliceBytes, 1, Environment.ProcessorCount);
        long slice = (_mapping.Length / threads + PopulationChunkBytes - 1) / PopulationChunkBytes * PopulationChunkBytes;
        _population = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _runningPopulators = threads;
        _populators = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            long start = Math.Min(_mapping.Length, i * slice);
            long end = Math.Min(_mapping.Length, start + slice);
            _populators[i] = new Thread(() => Populate(start, end)) { IsBackground = true, Name = "kz-guest-populate" };
            _populators[i].Start();
        }

        return _population.Task;
    }

    private void Populate(long start, long end)
    {
        try
        {
            for (long offset = start; offset < end && !_stopPopulating; offset += PopulationChunkBytes)
            {
                _mapping.Populate(offset, Math.Min(PopulationChunkBytes, end - offset));
            }
        }
        finally
        {
            // The last thread out settles the task (its continuations run elsewhere), before Dispose's join returns.
            if (Interlocked.Decrement(ref _runningPopulators) == 0)
            {
                if (_stopPopulating)
                {
                    _population!.TrySetCanceled();
                }
                else
                {
                    _population!.TrySetResult();
                }
            }
        }
    }

    /// <summary>Asks the population threads to stop after their current chunk and waits for them: the memory is about to be unmapped.</summary>
    private void StopPopulating()
    {
        if (_populators is not { } populators)
        {
            return;
        }

        _stopPopulating = true;
        foreach (Thread populator in populators)
        {
            populator.Join();
        }
    }
}
