using System.Globalization;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Striping;
using KernelZones.Migration.Transport.Tests.Infrastructure;

namespace KernelZones.Migration.Transport.Tests.Striping;

/// <summary>
/// A stripe on dedicated threads owns its socket as a plain blocking socket: <c>O_NONBLOCK</c> cleared and the
/// descriptor in no epoll set, so no event thread wakes for its traffic. On the thread pool the socket stays the
/// runtime's (non-blocking, watched), which also shows that the checks below see what they look for.
/// Read from <c>/proc/self/fdinfo</c>, so Linux only.
/// </summary>
public sealed class StripeSocketTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(StripeScheduling.DedicatedThreads)]
    [InlineData(StripeScheduling.ThreadPool)]
    public async Task Dedicated_stripes_own_blocking_sockets_that_no_epoll_set_watches(StripeScheduling scheduling)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "descriptor flags and epoll sets are read from /proc/self/fdinfo (Linux)");
        byte[] source = new byte[4 << 20];
        new Random(5).NextBytes(source);
        byte[] destination = new byte[source.Length];
        await using var pair = await LoopbackPair.ConnectAsync(CipherSuite.Aes128Gcm, 2, new MemorySink(destination), options: new StripeOptions { Scheduling = scheduling });
        bool dedicated = scheduling == StripeScheduling.DedicatedThreads;

        var watched = EpollWatchedDescriptors();
        foreach (var stripe in pair.Source.Stripes.Concat(pair.Destination.Stripes))
        {
            int descriptor = (int)stripe.SocketHandle.DangerousGetHandle();
            Assert.True(dedicated != IsNonBlocking(descriptor), $"stripe {stripe.Index}'s socket {descriptor}: O_NONBLOCK is {(dedicated ? "still set" : "cleared")}");
            Assert.True(dedicated != watched.Contains(descriptor), $"stripe {stripe.Index}'s socket {descriptor} is {(dedicated ? "still" : "not")} in an epoll set");
        }

        // And the stripes still move data both ways and end cleanly.
        await pair.SendAllAsync(source, 64 * 1024).WaitAsync(s_timeout);
        await Task.WhenAll(pair.Source.CompleteAsync(), pair.Destination.CompleteAsync()).WaitAsync(s_timeout);
        Assert.True(source.AsSpan().SequenceEqual(destination), "the destination's copy differs from the source");
    }

    /// <summary>Every descriptor that some epoll instance of this process watches (the <c>tfd</c> lines of their fdinfo).</summary>
    private static HashSet<int> EpollWatchedDescriptors()
    {
        var watched = new HashSet<int>();
        foreach (string entry in Directory.EnumerateFiles("/proc/self/fd"))
        {
            string? target = null;
            try
            {
                target = new FileInfo(entry).LinkTarget;
            }
            catch (IOException)
            {
            }

            if (target != "anon_inode:[eventpoll]")
            {
                continue;
            }

            foreach (string line in File.ReadLines("/proc/self/fdinfo/" + Path.GetFileName(entry)))
            {
                // "tfd:       42 events: 8000201d data: 2a  pos:0 ino:... sdev:..."
                if (line.StartsWith("tfd:", StringComparison.Ordinal))
                {
                    watched.Add(int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
                }
            }
        }

        return watched;
    }

    /// <summary>Whether <c>O_NONBLOCK</c> (octal 04000) is set on <paramref name="descriptor"/>.</summary>
    private static bool IsNonBlocking(int descriptor)
    {
        string flags = File.ReadLines($"/proc/self/fdinfo/{descriptor}").First(l => l.StartsWith("flags:", StringComparison.Ordinal));
        return (Convert.ToInt32(flags["flags:".Length..].Trim(), 8) & 0x800) != 0;
    }
}
