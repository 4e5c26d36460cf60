using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Tests.Infrastructure;

namespace KernelZones.Migration.Transport.Tests.Striping;

/// <summary>
/// A stripe's socket is used only with blocking calls on the stripe's own threads, from the handshake on, so the
/// runtime never registers it with its event loop: <c>O_NONBLOCK</c> stays clear and the descriptor is in no epoll
/// set of the process. The second test shows that these checks see what they look for: one asynchronous receive on
/// a socket set up the same way flips both. Read from <c>/proc/self/fdinfo</c>, so Linux only.
/// </summary>
public sealed class StripeSocketTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(CipherSuite.Aes128Gcm)]
    [InlineData(CipherSuite.None)]
    public async Task Stripe_sockets_stay_blocking_and_out_of_every_epoll_set(string cipher)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "descriptor flags and epoll sets are read from /proc/self/fdinfo (Linux)");
        byte[] source = new byte[8 << 20];
        new Random(5).NextBytes(source);
        byte[] destination = new byte[source.Length];
        var sourceSink = new MemorySink([]);
        await using var pair = await LoopbackPair.ConnectAsync(cipher, 2, new MemorySink(destination), sourceSink);
        var stripes = pair.Source.Stripes.Concat(pair.Destination.Stripes).ToList();
        AssertPlainBlocking(stripes.Select(s => ((int)s.SocketHandle.DangerousGetHandle(), $"stripe {s.Index}")), "after the handshake");

        // Data one way, control records the other, then the end of both streams: still never asynchronous.
        await pair.SendAllAsync(source, 256 * 1024).WaitAsync(s_timeout);
        await pair.Destination.Stripes[1].SendControlAsync(7, [1, 2, 3]).WaitAsync(s_timeout);
        await Task.WhenAll(pair.Source.CompleteAsync(), pair.Destination.CompleteAsync()).WaitAsync(s_timeout);

        AssertPlainBlocking(stripes.Select(s => ((int)s.SocketHandle.DangerousGetHandle(), $"stripe {s.Index}")), "after the transfer");
        Assert.True(source.AsSpan().SequenceEqual(destination), "the destination's copy differs from the source");
        Assert.Single(sourceSink.Control);
    }

    [Fact]
    public async Task One_asynchronous_receive_puts_a_socket_in_an_epoll_set_and_makes_it_non_blocking()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "descriptor flags and epoll sets are read from /proc/self/fdinfo (Linux)");
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var accepted = listener.Accept();
        int descriptor = (int)accepted.SafeHandle.DangerousGetHandle();
        AssertPlainBlocking([(descriptor, "a socket used only synchronously")], "before");

        // A receive that has to wait, as a stripe's would: the runtime makes the descriptor non-blocking and watches it.
        var receive = accepted.ReceiveAsync(new byte[1], SocketFlags.None);
        Assert.False(receive.IsCompleted);
        client.Send([42]);
        Assert.Equal(1, await receive.WaitAsync(s_timeout));

        Assert.True(IsNonBlocking(descriptor), "O_NONBLOCK should be set after an asynchronous receive");
        Assert.Contains(descriptor, EpollWatchedDescriptors());
    }

    private static void AssertPlainBlocking(IEnumerable<(int Descriptor, string Name)> sockets, string when)
    {
        var watched = EpollWatchedDescriptors();
        foreach (var (descriptor, name) in sockets)
        {
            Assert.False(IsNonBlocking(descriptor), $"{name}'s socket {descriptor} has O_NONBLOCK set {when}");
            Assert.False(watched.Contains(descriptor), $"{name}'s socket {descriptor} is in an epoll set {when}");
        }
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
