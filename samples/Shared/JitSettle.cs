namespace KernelZones.Samples;

/// <summary>
/// Waits until the JIT has stopped compiling: tiering promotes hot code in the background, late on a busy
/// machine, and only counts calls toward promotion once no new method has been compiled for a while, so a
/// warm-up must be run more than once, each time followed by this wait, before measured code runs optimized.
/// </summary>
internal static class JitSettle
{
    private static readonly TimeSpan s_quietPeriod = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan s_maxWait = TimeSpan.FromSeconds(10);

    /// <summary>Returns once no method has been compiled for 300 ms, or after 10 s.</summary>
    public static async Task WaitAsync()
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        do
        {
            await Task.Delay(s_quietPeriod);
        }
        while (compiled != (compiled = System.Runtime.JitInfo.GetCompiledMethodCount()) && waited.Elapsed < s_maxWait);
    }
}
