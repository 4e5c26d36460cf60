using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Striping;
using KernelZones.Migration.Transport.Tests.Infrastructure;

namespace KernelZones.Migration.Transport.Tests.Striping;

public sealed class StripedTransferTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);
    private static readonly Lazy<byte[]> s_oneGiB = new(() =>
    {
        var data = new byte[1 << 30];
        new Random(42).NextBytes(data);
        return data;
    });

    public static TheoryData<string, int> CipherAndStripes()
    {
        var data = new TheoryData<string, int>();
        foreach (string cipher in CipherSuite.Supported)
        {
            foreach (int stripes in new[] { 1, 2, 4, 8 })
            {
                data.Add(cipher, stripes);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CipherAndStripes))]
    public async Task One_GiB_of_random_data_arrives_intact(string cipher, int stripes)
    {
        byte[] source = s_oneGiB.Value;
        byte[] destination = new byte[source.Length];
        await using var pair = await LoopbackPair.ConnectAsync(cipher, stripes, new MemorySink(destination));

        await pair.SendAllAsync(source, 256 * 1024).WaitAsync(s_timeout);
        await Task.WhenAll(pair.Source.CompleteAsync(), pair.Destination.CompleteAsync()).WaitAsync(s_timeout);

        Assert.True(source.AsSpan().SequenceEqual(destination), "the destination's copy differs from the source");
        Assert.True(pair.Source.Completion.IsCompletedSuccessfully);
        Assert.True(pair.Destination.Completion.IsCompletedSuccessfully);
        Assert.True(pair.Source.BytesSent > source.Length);
    }

    [Fact]
    public async Task Control_records_flow_back_from_the_destination_in_order()
    {
        var sourceSink = new MemorySink([]);
        await using var pair = await LoopbackPair.ConnectAsync(CipherSuite.Aes128Gcm, 2, new MemorySink(new byte[4096]), sourceSink);

        for (int round = 0; round < 5; round++)
        {
            await pair.Destination.Stripes[1].SendControlAsync(round, [(byte)round, 42]).WaitAsync(s_timeout);
        }

        await Task.WhenAll(pair.Source.CompleteAsync(), pair.Destination.CompleteAsync()).WaitAsync(s_timeout);

        Assert.Equal([0L, 1, 2, 3, 4], sourceSink.Control.Select(c => c.Position));
        Assert.All(sourceSink.Control, c => Assert.Equal(1, c.Stripe));
        Assert.All(sourceSink.Control, c => Assert.Equal(42, c.Payload[1]));
    }

    [Fact]
    public async Task Disposing_a_transfer_in_progress_ends_its_blocked_threads()
    {
        byte[] source = new byte[8 << 20];
        new Random(7).NextBytes(source);
        var pair = await LoopbackPair.ConnectAsync(CipherSuite.Aes128Ccm, 2, new MemorySink(new byte[source.Length]));
        await pair.SendAllAsync(source, 64 * 1024).WaitAsync(s_timeout);

        // Not completed: every sending thread waits for a request and every receiving thread in a blocking receive.
        var stripes = pair.Source.Stripes.Concat(pair.Destination.Stripes).ToList();
        Assert.All(stripes, s => Assert.False(s.Loops.IsCompleted, $"stripe {s.Index}'s threads ended before the transfer did"));
        await pair.DisposeAsync();

        Assert.All(stripes, s => Assert.True(s.Loops.IsCompleted));
        Assert.False(pair.Source.HasLiveThreads);
        Assert.False(pair.Destination.HasLiveThreads);
    }

    [Fact]
    public async Task Sending_after_the_end_is_refused()
    {
        await using var pair = await LoopbackPair.ConnectAsync(CipherSuite.Aes128Gcm, 1, new MemorySink(new byte[16]));
        await Task.WhenAll(pair.Source.CompleteAsync(), pair.Destination.CompleteAsync()).WaitAsync(s_timeout);

        await Assert.ThrowsAsync<InvalidOperationException>(() => pair.Source.Stripes[0].SendControlAsync(0, [1]));
    }
}
