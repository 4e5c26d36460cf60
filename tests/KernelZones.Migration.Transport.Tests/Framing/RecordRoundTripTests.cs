using System.Buffers;
using FsCheck.Xunit;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Tests.Infrastructure;

namespace KernelZones.Migration.Transport.Tests.Framing;

public sealed class RecordRoundTripTests
{
    public static TheoryData<string> Ciphers => new(CipherSuite.Supported);

    [Theory]
    [MemberData(nameof(Ciphers))]
    public void Records_round_trip_with_type_flags_position_and_payload(string cipher)
    {
        var (sealer, opener) = TestKeys.Pair(cipher);
        using var s = sealer;
        using var o = opener;
        var output = new ArrayBufferWriter<byte>();
        sealer.Seal(output, RecordType.Data, label: 5L << 32, payload: Payload(1, 4096), flags: 7);
        sealer.Seal(output, RecordType.Control, label: -1, payload: []);
        sealer.SealEndOfStream(output);

        var opened = RecordStream.ReadAll(opener, new ReadOnlySequence<byte>(output.WrittenMemory));

        Assert.Equal(3, opened.Count);
        Assert.Equal(new RecordHeader(RecordType.Data, 7, 4096, 0, 5L << 32), opened[0].Header);
        Assert.Equal(Payload(1, 4096), opened[0].Payload);
        Assert.Equal(new RecordHeader(RecordType.Control, 0, 0, 1, -1), opened[1].Header);
        Assert.Equal(RecordType.EndOfStream, opened[2].Header.Type);
        Assert.True(opener.IsEnded);
    }

    [Fact]
    public void Aead_ciphertext_differs_from_plaintext_and_none_does_not()
    {
        byte[] payload = Payload(3, 1024);
        foreach (string cipher in CipherSuite.Supported)
        {
            var (sealer, _) = TestKeys.Pair(cipher);
            byte[] wire = RecordStream.Write(sealer, [(RecordType.Data, 0, payload)], end: false);
            bool containsPlaintext = wire.AsSpan().IndexOf(payload) >= 0;
            Assert.Equal(cipher == CipherSuite.None, containsPlaintext);
        }
    }

    [Property(MaxTest = 60)]
    public bool Every_record_round_trips_under_any_segmentation(int seed)
    {
        var random = new Random(seed);
        string cipher = CipherSuite.Supported[random.Next(CipherSuite.Supported.Count)];
        var options = new RecordOptions { MaxPayloadLength = 8192, RecordsPerKey = random.Next(1, 6) };
        var records = Enumerable.Range(0, random.Next(0, 12))
            .Select(i => (random.Next(2) == 0 ? RecordType.Data : RecordType.Control, (long)random.Next() << 12, Payload(random.Next(), random.Next(0, 8193))))
            .ToList();
        var (sealer, opener) = TestKeys.Pair(cipher, options);
        byte[] wire = RecordStream.Write(sealer, records);

        var input = Sequences.Split(wire, Sequences.RandomCuts(random, wire.Length, random.Next(0, 40)));
        var opened = RecordStream.ReadAll(opener, input);

        return opened.Count == records.Count + 1
            && records.Select((r, i) => opened[i].Header.Type == r.Item1 && opened[i].Header.Label == r.Item2 && opened[i].Payload.AsSpan().SequenceEqual(r.Item3)).All(ok => ok)
            && opened[^1].Header.Type == RecordType.EndOfStream;
    }

    [Fact]
    public void Records_round_trip_through_a_pipe_written_in_small_chunks()
    {
        var (sealer, opener) = TestKeys.Pair(CipherSuite.Aes128Gcm);
        var records = Enumerable.Range(0, 20).Select(i => (RecordType.Data, (long)i * 4096, Payload(i, 4096 * (1 + (i % 3))))).ToList();
        byte[] wire = RecordStream.Write(sealer, records);
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        for (int offset = 0; offset < wire.Length; offset += 1000)
        {
            pipe.Writer.Write(wire.AsSpan(offset, Math.Min(1000, wire.Length - offset)));
        }

        pipe.Writer.Complete();
        Assert.True(pipe.Reader.TryRead(out var result));

        var opened = RecordStream.ReadAll(opener, result.Buffer);

        Assert.Equal(21, opened.Count);
        Assert.All(records, (r, i) => Assert.Equal(r.Item3, opened[i].Payload));
    }

    [Fact]
    public void Seal_writes_each_record_with_one_contiguous_span()
    {
        var (sealer, _) = TestKeys.Pair(CipherSuite.Aes128Ccm);
        var writer = new CountingWriter();

        sealer.Seal(writer, RecordType.Data, 0, Payload(1, 65536));

        Assert.Equal(1, writer.GetSpanCalls);
        Assert.Equal(RecordHeader.Size + 65536 + 16, writer.Advanced);
    }

    internal static byte[] Payload(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private sealed class CountingWriter : IBufferWriter<byte>
    {
        private readonly byte[] _buffer = new byte[1 << 20];

        public int GetSpanCalls { get; private set; }

        public int Advanced { get; private set; }

        public void Advance(int count) => Advanced += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new InvalidOperationException("the sealer should ask for a span");

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            GetSpanCalls++;
            return _buffer.AsSpan(Advanced);
        }
    }
}
