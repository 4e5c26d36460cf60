using System.Globalization;

namespace KernelZones.Samples;

/// <summary>What this machine can give a zone's simulated guest: the memory the kernel says is available now.</summary>
internal static class HostMemory
{
    /// <summary>
    /// <c>MemAvailable</c> from <c>/proc/meminfo</c> on Linux (memory a new process can take without swapping), else the
    /// runtime's view of the memory available to this process, in bytes.
    /// </summary>
    public static long AvailableBytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    string kib = line["MemAvailable:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or /proc is not mounted: fall back to the runtime's figure.
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }
}
