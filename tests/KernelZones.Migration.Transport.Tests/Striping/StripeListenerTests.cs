using System.Net;
using System.Net.Sockets;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Striping;
using KernelZones.Migration.Transport.Tests.Infrastructure;

namespace KernelZones.Migration.Transport.Tests.Striping;

public sealed class StripeListenerTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Hostile_connections_are_rejected_while_a_real_transfer_completes()
    {
        var options = new StripeOptions { HandshakeTimeout = TimeSpan.FromSeconds(1) };
        var listener = StripeListener.Start(new IPEndPoint(IPAddress.Loopback, 0), options);
        await using var proxy = new TcpProxy(listener.LocalEndPoint);
        byte[] source = new byte[32 << 20];
        new Random(3).NextBytes(source);
        byte[] destinationMemory = new byte[source.Length];
        var descriptor = LoopbackPair.NewDescriptor(CipherSuite.Aes128Gcm, 2);
        var destination = listener.Expect(descriptor, new MemorySink(destinationMemory));
        var transfer = await StripeConnector.ConnectAsync(proxy.EndPoint, descriptor, new MemorySink([]), options).WaitAsync(s_bound);
        byte[] captured = await proxy.FirstUpstreamBytes.Task.WaitAsync(s_bound);
        var sending = Task.WhenAll(transfer.Stripes.Select(s => s.SendAsync(new MemoryBatch(source, 128 * 1024, s.Index, 2))));

        var otherKey = new byte[32];
        var attacks = new List<Task>
        {
            SendAsync(listener.LocalEndPoint, RandomBytes(4096)),
            SendAsync(listener.LocalEndPoint, Hello(Guid.NewGuid(), 0, 2, otherKey)),
            SendAsync(listener.LocalEndPoint, Hello(descriptor.MigrationId, 0, 2, otherKey)),
            SendAsync(listener.LocalEndPoint, captured),
            TrickleAsync(listener.LocalEndPoint, Hello(descriptor.MigrationId, 1, 2, otherKey)),
        };
        await Task.WhenAll(attacks).WaitAsync(s_bound);
        await sending.WaitAsync(s_bound);
        await Task.WhenAll(transfer.CompleteAsync(), destination.CompleteAsync()).WaitAsync(s_bound);

        Assert.True(source.AsSpan().SequenceEqual(destinationMemory));
        Assert.Equal(attacks.Count, listener.RejectedConnections);
        await transfer.DisposeAsync();
        await destination.DisposeAsync();
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task Connections_beyond_the_pending_handshake_cap_are_shed()
    {
        var listener = StripeListener.Start(new IPEndPoint(IPAddress.Loopback, 0), new StripeOptions { MaxPendingHandshakes = 4, HandshakeTimeout = TimeSpan.FromSeconds(30) });
        var idle = new List<Socket>();
        for (int i = 0; i < 12; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(listener.LocalEndPoint);
            idle.Add(socket);
        }

        // The 8 connections over the cap close the oldest silent ones to make room: their reads end, and the other 4 stay held.
        Task[] reads = [.. idle.Select(ReadUntilClosedAsync)];
        while (reads.Count(r => r.IsCompleted) < 8)
        {
            await Task.WhenAny(reads.Where(r => !r.IsCompleted)).WaitAsync(s_bound);
        }

        Assert.Equal(8, reads.Count(r => r.IsCompleted));
        Assert.Equal(4, listener.HandshakesInProgress);
        Assert.Equal(8, listener.RejectedConnections);
        idle.ForEach(s => s.Dispose());
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task A_listener_on_ipv6_any_accepts_stripes()
    {
        var listener = StripeListener.Start(new IPEndPoint(IPAddress.IPv6Any, 0));
        var descriptor = LoopbackPair.NewDescriptor(CipherSuite.Aes128Gcm, 1);
        await using var destination = listener.Expect(descriptor, new MemorySink(new byte[10]));
        await using var transfer = await StripeConnector.ConnectAsync(new IPEndPoint(IPAddress.IPv6Loopback, listener.LocalEndPoint.Port), descriptor, new MemorySink([])).WaitAsync(s_bound);

        await transfer.Stripes[0].SendAsync(new MemoryBatch(new byte[10], 10, 0, 1)).WaitAsync(s_bound);
        await Task.WhenAll(transfer.CompleteAsync(), destination.CompleteAsync()).WaitAsync(s_bound);

        await listener.DisposeAsync();
    }

    [Fact]
    public async Task Connecting_to_a_listener_that_does_not_expect_the_transfer_fails_cleanly()
    {
        var listener = StripeListener.Start(new IPEndPoint(IPAddress.Loopback, 0));
        var descriptor = LoopbackPair.NewDescriptor(CipherSuite.Aes128Gcm, 2);

        var error = await Assert.ThrowsAnyAsync<TransportException>(() => StripeConnector.ConnectAsync(listener.LocalEndPoint, descriptor, new MemorySink([])).WaitAsync(s_bound));

        Assert.Contains(listener.LocalEndPoint.Port.ToString(), error.Message, StringComparison.Ordinal);
        await listener.DisposeAsync();
    }

    private static byte[] Hello(Guid migration, int stripe, int count, byte[] key)
    {
        byte[] hello = new byte[StripeHandshake.HelloSize];
        StripeHandshake.WriteHello(hello, migration, stripe, count, key);
        return hello;
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Sends bytes and waits until the listener closes the connection.</summary>
    private static async Task SendAsync(IPEndPoint endPoint, byte[] bytes)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        try
        {
            await socket.SendAsync(bytes);
            while (await socket.ReceiveAsync(new byte[64], SocketFlags.None) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // reset by the listener: rejected
        }
    }

    private static async Task ReadUntilClosedAsync(Socket socket)
    {
        try
        {
            while (await socket.ReceiveAsync(new byte[1], SocketFlags.None) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // reset by the listener, or disposed by the test at its end
        }
    }

    /// <summary>A connection that sends one byte every 200 ms and is dropped by the handshake timeout.</summary>
    private static async Task TrickleAsync(IPEndPoint endPoint, byte[] bytes)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        try
        {
            foreach (byte b in bytes)
            {
                await socket.SendAsync(new[] { b });
                using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
                try
                {
                    if (await socket.ReceiveAsync(new byte[1], SocketFlags.None, wait.Token) == 0)
                    {
                        return;
                    }
                }
                catch (OperationCanceledException)
                {
                    // still open: keep trickling
                }
            }
        }
        catch (SocketException)
        {
            // dropped
        }
    }
}
