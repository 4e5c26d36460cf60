using System.Net;
using System.Net.Sockets;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Striping;
using KernelZones.Migration.Transport.Tests.Infrastructure;

namespace KernelZones.Migration.Transport.Tests.Striping;

public sealed class StripeFailureTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(CipherSuite.Aes128Ccm)]
    [InlineData(CipherSuite.Aes128Gcm)]
    [InlineData(CipherSuite.None)] // payloads straight between memory and socket
    public async Task A_stripe_cut_mid_transfer_fails_both_sides_naming_the_stripe_and_leaks_nothing(string cipher)
    {
        byte[] source = RandomBytes(256 << 20);
        var sink = new MemorySink(new byte[source.Length]);
        var options = new StripeOptions();
        var listener = StripeListener.Start(new IPEndPoint(IPAddress.Loopback, 0), options);
        await using var realProxy = new TcpProxy(listener.LocalEndPoint);
        var descriptor = LoopbackPair.NewDescriptor(cipher, 3);
        var destination = listener.Expect(descriptor, sink);
        var transfer = await StripeConnector.ConnectAsync(realProxy.EndPoint, descriptor, new MemorySink([]), options).WaitAsync(s_bound);
        await destination.WaitForStripesAsync().WaitAsync(s_bound);

        var sending = Task.WhenAll(transfer.Stripes.Select(s => s.SendAsync(new MemoryBatch(source, 256 * 1024, s.Index, 3))));
        await sink.FirstData.Task.WaitAsync(s_bound);
        realProxy.Cut(1);

        var sourceError = await Assert.ThrowsAnyAsync<TransportException>(() => transfer.Completion.WaitAsync(s_bound));
        var destinationError = await Assert.ThrowsAnyAsync<TransportException>(() => destination.Completion.WaitAsync(s_bound));
        await Assert.ThrowsAnyAsync<TransportException>(() => sending.WaitAsync(s_bound));
        Assert.Contains("Stripe", sourceError.Message, StringComparison.Ordinal);
        Assert.Contains("Stripe", destinationError.Message, StringComparison.Ordinal);

        await transfer.DisposeAsync();
        await destination.DisposeAsync();
        await listener.DisposeAsync();
        Assert.False(transfer.HasLiveThreads);
        Assert.False(destination.HasLiveThreads);
        Assert.All(transfer.Stripes, s => Assert.Throws<ObjectDisposedException>(() => SocketOf(s).Send([0])));
    }

    [Theory]
    [InlineData(CipherSuite.Aes128Gcm)]
    [InlineData(CipherSuite.None)]
    public async Task An_end_of_stream_record_replayed_after_the_end_fails_the_transfer(string cipher)
    {
        byte[] source = RandomBytes(1 << 20);
        var listener = StripeListener.Start(new IPEndPoint(IPAddress.Loopback, 0));
        int endOfStream = RecordHeader.Size + CipherSuite.GetTagSize(cipher);
        await using var proxy = new TcpProxy(listener.LocalEndPoint) { ReplayUpstreamTailOnClose = endOfStream };
        var descriptor = LoopbackPair.NewDescriptor(cipher, 1);
        var destination = listener.Expect(descriptor, new MemorySink(new byte[source.Length]));
        await using var transfer = await StripeConnector.ConnectAsync(proxy.EndPoint, descriptor, new MemorySink([])).WaitAsync(s_bound);

        await transfer.Stripes[0].SendAsync(new MemoryBatch(source, 256 * 1024, 0, 1)).WaitAsync(s_bound);
        _ = transfer.CompleteAsync();
        _ = destination.CompleteAsync();

        var error = await Assert.ThrowsAnyAsync<TransportException>(() => destination.Completion.WaitAsync(s_bound));
        Assert.Equal(RecordErrorKind.AfterEndOfStream, Assert.IsType<RecordException>(error.InnerException).Kind);
        await destination.DisposeAsync();
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task A_flipped_bit_on_the_wire_fails_the_transfer_with_an_authentication_error()
    {
        byte[] source = RandomBytes(4 << 20);
        var listener = StripeListener.Start(new IPEndPoint(IPAddress.Loopback, 0));
        await using var proxy = new TcpProxy(listener.LocalEndPoint) { CorruptUpstreamAt = StripeHandshake.HelloSize + 300_000 };
        var descriptor = LoopbackPair.NewDescriptor(CipherSuite.Aes128Ccm, 1);
        var destination = listener.Expect(descriptor, new MemorySink(new byte[source.Length]));
        await using var transfer = await StripeConnector.ConnectAsync(proxy.EndPoint, descriptor, new MemorySink([])).WaitAsync(s_bound);

        _ = transfer.Stripes[0].SendAsync(new MemoryBatch(source, 256 * 1024, 0, 1));

        var error = await Assert.ThrowsAnyAsync<TransportException>(() => destination.Completion.WaitAsync(s_bound));
        Assert.Contains("authentication failed", error.Message, StringComparison.Ordinal);
        Assert.Equal(RecordErrorKind.AuthenticationFailed, Assert.IsType<RecordException>(error.InnerException).Kind);
        await Assert.ThrowsAnyAsync<TransportException>(() => transfer.Completion.WaitAsync(s_bound));
        await destination.DisposeAsync();
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task Cancellation_aborts_both_sides()
    {
        byte[] source = RandomBytes(64 << 20);
        await using var pair = await LoopbackPair.ConnectAsync(CipherSuite.Aes128Gcm, 2, new SlowSink(new byte[source.Length]));
        using var cancel = new CancellationTokenSource();

        var sending = pair.Source.Stripes[0].SendAsync(new MemoryBatch(source, 65536, 0, 2), cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<TransportException>(() => sending.WaitAsync(s_bound));
        await Assert.ThrowsAnyAsync<TransportException>(() => pair.Source.Completion.WaitAsync(s_bound));
        await Assert.ThrowsAnyAsync<TransportException>(() => pair.Destination.Completion.WaitAsync(s_bound));
    }

    [Theory]
    [InlineData(CipherSuite.Aes128Gcm, 1000)]
    [InlineData(CipherSuite.None, 1000)]
    [InlineData(CipherSuite.None, 128 * 1024)] // received straight into the sink's memory, which the sink refuses
    public async Task A_sink_that_throws_aborts_the_transfer_with_its_reason(string cipher, int record)
    {
        await using var pair = await LoopbackPair.ConnectAsync(cipher, 1, new MemorySink(new byte[record]));

        _ = pair.Source.Stripes[0].SendAsync(new MemoryBatch(new byte[5 * record], record, 0, 1));

        var error = await Assert.ThrowsAnyAsync<TransportException>(() => pair.Destination.Completion.WaitAsync(s_bound));
        Assert.Contains("outside the destination", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<TransportException>(() => pair.Source.Completion.WaitAsync(s_bound));
    }

    [Fact]
    public async Task A_plain_record_cut_in_its_payload_fails_as_truncated()
    {
        // Without encryption a large payload is received straight into the sink's memory: a close in the middle of it
        // must still fail the stream as truncated, not pass a partly filled record on.
        var listener = StripeListener.Start(new IPEndPoint(IPAddress.Loopback, 0));
        var descriptor = LoopbackPair.NewDescriptor(CipherSuite.None, 1);
        var sink = new MemorySink(new byte[128 * 1024]);
        await using var destination = listener.Expect(descriptor, sink);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(listener.LocalEndPoint);
        byte[] hello = new byte[StripeHandshake.HelloSize];
        StripeHandshake.WriteHello(hello, descriptor.MigrationId, 0, 1, destination.HandshakeKey);
        await socket.SendAsync(hello);
        byte[] record = new byte[RecordHeader.Size + 1000];
        new RecordHeader(RecordType.Data, 0, 128 * 1024, 0, 0).Write(record);

        await socket.SendAsync(record);
        socket.Shutdown(SocketShutdown.Send);

        var error = await Assert.ThrowsAnyAsync<TransportException>(() => destination.Completion.WaitAsync(s_bound));
        Assert.Equal(RecordErrorKind.Truncated, Assert.IsType<RecordException>(error.InnerException).Kind);
        Assert.Contains("1024 bytes of it received", error.Message, StringComparison.Ordinal);
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task A_silent_peer_times_out()
    {
        var options = new StripeOptions { PeerTimeout = TimeSpan.FromMilliseconds(600) };
        var listener = StripeListener.Start(new IPEndPoint(IPAddress.Loopback, 0), options);
        var descriptor = LoopbackPair.NewDescriptor(CipherSuite.Aes128Gcm, 1);
        await using var destination = listener.Expect(descriptor, new MemorySink([]));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(listener.LocalEndPoint);
        byte[] hello = new byte[StripeHandshake.HelloSize];
        StripeHandshake.WriteHello(hello, descriptor.MigrationId, 0, 1, destination.HandshakeKey);
        await socket.SendAsync(hello);

        var error = await Assert.ThrowsAnyAsync<TransportException>(() => destination.Completion.WaitAsync(s_bound));

        Assert.Contains("no data from the peer", error.Message, StringComparison.Ordinal);
        await listener.DisposeAsync();
    }

    private static Socket SocketOf(Stripe stripe) =>
        (Socket)typeof(Stripe).GetField("_socket", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(stripe)!;

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    private sealed class SlowSink(byte[] destination) : IRecordSink
    {
        private readonly MemorySink _inner = new(destination);

        public Span<byte> GetDataDestination(int stripeIndex, in RecordHeader header)
        {
            Thread.Sleep(5); // a slow consumer, so that the sender is still busy when it is cancelled
            return _inner.GetDataDestination(stripeIndex, header);
        }

        public void OnDataReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload) => _inner.OnDataReceived(stripeIndex, header, payload);

        public void OnControlReceived(int stripeIndex, in RecordHeader header, ReadOnlySpan<byte> payload) => _inner.OnControlReceived(stripeIndex, header, payload);
    }
}
