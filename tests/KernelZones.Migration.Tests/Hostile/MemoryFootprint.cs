using System.Diagnostics;

namespace KernelZones.Migration.Tests.Hostile;

/// <summary>The process's managed heap, working set and open file descriptors at one moment.</summary>
internal readonly record struct MemoryFootprint(long ManagedBytes, long WorkingSetBytes, int OpenFiles)
{
    /// <summary>Measures now; with <paramref name="collect"/>, after a full blocking collection (so only live objects count).</summary>
    public static MemoryFootprint Measure(bool collect = true)
    {
        if (collect)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }

        using var process = Process.GetCurrentProcess();
        int files = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : 0;
        return new MemoryFootprint(GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64, files);
    }

    public static MemoryFootprint Max(MemoryFootprint a, MemoryFootprint b) =>
        new(Math.Max(a.ManagedBytes, b.ManagedBytes), Math.Max(a.WorkingSetBytes, b.WorkingSetBytes), Math.Max(a.OpenFiles, b.OpenFiles));

    public override string ToString() => $"managed {ManagedBytes >> 20} MiB, working set {WorkingSetBytes >> 20} MiB, {OpenFiles} open files";
}
