using System.Buffers;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Tests.Infrastructure;

namespace KernelZones.Migration.Transport.Tests.Framing;

/// <summary>
/// Without encryption a stripe sends a large payload from the caller's memory behind a header-only seal, and
/// receives it straight into the sink's memory: the bytes on the wire must be exactly those of a sealed record,
/// and the sequence must advance as if the record had been opened.
/// </summary>
public sealed class PlainRecordTests
{
    [Fact]
    public void A_plain_header_followed_by_the_payload_is_byte_for_byte_a_sealed_record()
    {
        byte[] payload = new byte[70_000];
        new Random(5).NextBytes(payload);
        var (sealer, _) = TestKeys.Pair(CipherSuite.None);
        var (plainSealer, _) = TestKeys.Pair(CipherSuite.None);
        using var s1 = sealer;
        using var s2 = plainSealer;
        var sealedOutput = new ArrayBufferWriter<byte>();
        var plainOutput = new ArrayBufferWriter<byte>();

        sealer.Seal(sealedOutput, RecordType.Data, 1L << 33, payload, flags: 3);
        sealer.Seal(sealedOutput, RecordType.Control, 9, [1, 2]);
        plainSealer.SealPlainHeader(plainOutput, 1L << 33, payload.Length, flags: 3);
        plainOutput.Write(payload);
        plainSealer.Seal(plainOutput, RecordType.Control, 9, [1, 2]);

        Assert.Equal(sealedOutput.WrittenSpan.ToArray(), plainOutput.WrittenSpan.ToArray());
        Assert.Equal(sealer.NextSequence, plainSealer.NextSequence);
    }

    [Fact]
    public void Accepting_a_plain_record_advances_the_sequence_like_opening_it()
    {
        var (sealer, opener) = TestKeys.Pair(CipherSuite.None);
        using var s = sealer;
        using var o = opener;
        var output = new ArrayBufferWriter<byte>();
        sealer.Seal(output, RecordType.Data, 0, new byte[100_000]);
        sealer.Seal(output, RecordType.Data, 100_000, [7]);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        Assert.True(opener.TryReadHeader(buffer, out RecordHeader first));
        opener.AcceptPlain(first);
        buffer = buffer.Slice(opener.GetRecordLength(first));
        Assert.True(opener.TryReadHeader(buffer, out RecordHeader second));
        byte[] opened = new byte[1];
        opener.Open(buffer, second, opened);

        Assert.Equal(2UL, opener.ExpectedSequence);
        Assert.Equal(7, opened[0]);
        Assert.Throws<InvalidOperationException>(() => opener.AcceptPlain(first)); // already accepted
    }

    [Theory]
    [InlineData(CipherSuite.Aes128Ccm)]
    [InlineData(CipherSuite.Aes128Gcm)]
    public void An_encrypting_stream_refuses_plain_headers_and_unopened_records(string cipher)
    {
        var (sealer, opener) = TestKeys.Pair(cipher);
        using var s = sealer;
        using var o = opener;
        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<InvalidOperationException>(() => sealer.SealPlainHeader(output, 0, 100_000, 0));
        Assert.Equal(0, output.WrittenCount);
        sealer.Seal(output, RecordType.Data, 0, new byte[100]);
        Assert.True(opener.TryReadHeader(new ReadOnlySequence<byte>(output.WrittenMemory), out RecordHeader header));
        Assert.Throws<InvalidOperationException>(() => opener.AcceptPlain(header));
        Assert.Equal(0UL, opener.ExpectedSequence);
    }

    [Fact]
    public void A_plain_header_after_the_end_of_stream_is_refused()
    {
        var (sealer, _) = TestKeys.Pair(CipherSuite.None);
        using var s = sealer;
        var output = new ArrayBufferWriter<byte>();
        sealer.SealEndOfStream(output);

        Assert.Throws<InvalidOperationException>(() => sealer.SealPlainHeader(output, 0, 100_000, 0));
    }
}
