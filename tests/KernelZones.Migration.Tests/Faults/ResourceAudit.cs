using System.Globalization;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>
/// What the process still holds, read from Linux's /proc: TCP sockets it owns on given ports, and the stripes'
/// dedicated threads. The kernel gives no signal when a socket or a thread is finally gone, so the waits poll, bounded.
/// </summary>
internal static class ResourceAudit
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(25);

    public static bool IsSupported => OperatingSystem.IsLinux() && File.Exists("/proc/net/tcp");

    /// <summary>Waits until this process owns no TCP socket whose local or remote port is one of <paramref name="ports"/>; returns those still open.</summary>
    public static Task<IReadOnlyList<string>> WaitForSocketsClosedAsync(IReadOnlyCollection<int> ports, TimeSpan limit) =>
        WaitForSocketsClosedAsync(s => ports.Contains(s.Local) || ports.Contains(s.Remote), limit);

    /// <summary>Waits until this process owns no TCP socket that <paramref name="match"/> accepts; returns those still open.</summary>
    public static async Task<IReadOnlyList<string>> WaitForSocketsClosedAsync(Func<(int Local, int Remote, bool Listening), bool> match, TimeSpan limit)
    {
        if (!IsSupported)
        {
            return [];
        }

        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var open = OwnedSockets(match);
            if (open.Count == 0 || DateTime.UtcNow > deadline)
            {
                return open;
            }

            await Task.Delay(s_pollInterval);
        }
    }

    /// <summary>Waits until no stripe thread (named <c>kz-migr …</c>) is alive in the process; returns how many are left.</summary>
    public static async Task<int> WaitForStripeThreadsEndedAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            int alive = StripeThreads();
            if (alive == 0 || DateTime.UtcNow > deadline)
            {
                return alive;
            }

            await Task.Delay(s_pollInterval);
        }
    }

    public static int StripeThreads()
    {
        if (!IsSupported)
        {
            return 0;
        }

        int count = 0;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                count += File.ReadAllText(Path.Combine(task, "comm")).StartsWith("kz-migr", StringComparison.Ordinal) ? 1 : 0;
            }
            catch (IOException)
            {
                // the thread ended while we looked
            }
        }

        return count;
    }

    private static List<string> OwnedSockets(Func<(int Local, int Remote, bool Listening), bool> match)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string? target = new FileInfo(fd).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target[8..^1]);
            }
        }

        var open = new List<string>();
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (string line in File.ReadLines(table).Skip(1))
            {
                string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                int local = Port(f[1]);
                int remote = Port(f[2]);
                if (inodes.Contains(f[9]) && match((local, remote, f[3] == "0A")))
                {
                    open.Add($"{local}->{remote} (tcp state {f[3]})");
                }
            }
        }

        return open;
    }

    private static int Port(string address) => int.Parse(address[(address.IndexOf(':', StringComparison.Ordinal) + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
