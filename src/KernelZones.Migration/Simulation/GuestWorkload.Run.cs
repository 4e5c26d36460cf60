namespace KernelZones.Migration.Simulation;

#pragma warning disable CA5394 // Simulated guest writes, not secrets: a seeded, fast generator is what is wanted.
public sealed partial class GuestWorkload
{
    private void Run(object? state)
    {
        var (stop, last) = ((CancellationToken, long))state!;
        InMemoryVirtualCpus cpus = _guest.SimulatedCpus;
        var random = new Random(_options.Seed);
        byte[] data = new byte[_options.BytesPerWrite];
        double bucket = Math.Max(1, _pagesPerSecond * BucketSeconds);
        double tokens = 0;
        while (cpus.TryEnterRunning(stop))
        {
            int batch;
            try
            {
                long now = _time.GetTimestamp();
                tokens = Math.Min(bucket, tokens + (_time.GetElapsedTime(last, now).TotalSeconds * _pagesPerSecond * cpus.RunFraction));
                last = now;
                batch = (int)Math.Min(tokens, MaxPagesPerBatch);
                for (int i = 0; i < batch; i++)
                {
                    WritePage(random, data);
                    Interlocked.Increment(ref _pagesWritten);
                }

                tokens -= batch;
            }
            finally
            {
                cpus.ExitRunning();
            }

            if (batch == 0)
            {
                // Pacing, not waiting for an event: the next token is at most a few milliseconds away at useful rates.
                Thread.Sleep(1);
            }
        }
    }

    private void WritePage(Random random, byte[] data)
    {
        bool hot = _hotPages == _workingSetPages || random.NextDouble() < _options.HotWriteFraction;
        long page = hot ? random.NextInt64(_hotPages) : _hotPages + random.NextInt64(_workingSetPages - _hotPages);
        int pageSize = _guest.Memory.PageSize;
        int offsetInPage = random.Next(pageSize - data.Length + 1);
        random.NextBytes(data);
        _guest.SimulatedMemory.Write(((_firstPage + page) * pageSize) + offsetInPage, data);
    }
}
