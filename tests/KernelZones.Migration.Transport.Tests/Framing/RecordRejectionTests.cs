using System.Buffers;
using System.Buffers.Binary;
using FsCheck.Xunit;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Tests.Infrastructure;

namespace KernelZones.Migration.Transport.Tests.Framing;

public sealed class RecordRejectionTests
{
    private static readonly string[] s_aeads = [CipherSuite.Aes128Ccm, CipherSuite.Aes128Gcm];

    [Property(MaxTest = 100)]
    public bool Any_single_byte_change_is_detected(int seed)
    {
        var random = new Random(seed);
        string cipher = s_aeads[random.Next(2)];
        var (sealer, opener) = TestKeys.Pair(cipher, new RecordOptions { MaxPayloadLength = 4096 });
        byte[] wire = RecordStream.Write(sealer, [(RecordType.Data, 4096, RecordRoundTripTests.Payload(seed, random.Next(0, 4097))), (RecordType.Control, 0, [1, 2, 3])]);
        int index = random.Next(wire.Length);
        wire[index] ^= (byte)random.Next(1, 256);

        return Throws<RecordException>(() => RecordStream.ReadAll(opener, new ReadOnlySequence<byte>(wire)));
    }

    [Property(MaxTest = 100)]
    public bool Truncation_at_any_offset_is_detected(int seed)
    {
        var random = new Random(seed);
        var (sealer, opener) = TestKeys.Pair(CipherSuite.Supported[random.Next(CipherSuite.Supported.Count)]);
        byte[] wire = RecordStream.Write(sealer, [(RecordType.Data, 0, RecordRoundTripTests.Payload(seed, random.Next(0, 3000))), (RecordType.Data, 1, [9])]);
        int cut = random.Next(0, wire.Length);

        return Throws<RecordException>(() => RecordStream.ReadAll(opener, new ReadOnlySequence<byte>(wire.AsMemory(0, cut))));
    }

    [Fact]
    public void A_cut_stream_reports_truncation_not_an_end()
    {
        var (sealer, opener) = TestKeys.Pair(CipherSuite.Aes128Gcm);
        byte[] wire = RecordStream.Write(sealer, [(RecordType.Data, 0, new byte[100])], end: false);

        var error = Assert.Throws<RecordException>(() => RecordStream.ReadAll(opener, new ReadOnlySequence<byte>(wire)));

        Assert.Equal(RecordErrorKind.Truncated, error.Kind);
    }

    [Fact]
    public void A_replayed_record_is_named_as_such()
    {
        var (sealer, opener) = TestKeys.Pair(CipherSuite.Aes128Ccm);
        byte[] first = RecordStream.Write(sealer, [(RecordType.Data, 0, new byte[64])], end: false);

        Assert.Equal(RecordErrorKind.Replayed, KindOf(opener, [.. first, .. first]));
    }

    [Fact]
    public void A_skipped_record_is_out_of_order_and_a_dropped_tail_is_dropped()
    {
        var (sealer, opener) = TestKeys.Pair(CipherSuite.Aes128Gcm);
        var output = new ArrayBufferWriter<byte>();
        sealer.Seal(output, RecordType.Data, 0, new byte[10]);
        int firstLength = output.WrittenCount;
        sealer.Seal(output, RecordType.Data, 1, new byte[10]);
        int secondEnd = output.WrittenCount;
        sealer.SealEndOfStream(output);
        byte[] wire = output.WrittenSpan.ToArray();

        Assert.Equal(RecordErrorKind.OutOfOrder, KindOf(TestKeys.Pair(CipherSuite.Aes128Gcm).Opener, wire[firstLength..]));
        Assert.Equal(RecordErrorKind.Dropped, KindOf(opener, [.. wire[..firstLength], .. wire[secondEnd..]]));
    }

    [Fact]
    public void An_oversized_length_is_rejected_from_the_header_alone()
    {
        var (_, opener) = TestKeys.Pair(CipherSuite.Aes128Gcm);
        byte[] header = new byte[RecordHeader.Size];
        new RecordHeader(RecordType.Data, 0, 0, 0, 0).Write(header);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), RecordOptions.DefaultMaxPayloadLength + 1);

        var error = Assert.Throws<RecordException>(() => opener.TryReadHeader(new ReadOnlySequence<byte>(header), out _));

        Assert.Equal(RecordErrorKind.Oversized, error.Kind);
    }

    [Fact]
    public void Unknown_types_and_reserved_bits_are_malformed()
    {
        foreach (int index in new[] { 0, 2, 3 })
        {
            var (_, opener) = TestKeys.Pair(CipherSuite.Aes128Gcm);
            byte[] header = new byte[RecordHeader.Size];
            new RecordHeader(RecordType.Data, 0, 0, 0, 0).Write(header);
            header[index] = 0x55;

            Assert.Equal(RecordErrorKind.Malformed, KindOf(opener, header));
        }
    }

    [Fact]
    public void Data_after_the_end_of_stream_is_rejected()
    {
        var (sealer, opener) = TestKeys.Pair(CipherSuite.Aes128Ccm);
        byte[] wire = RecordStream.Write(sealer, []);

        Assert.Equal(RecordErrorKind.AfterEndOfStream, KindOf(opener, [.. wire, 0]));
        Assert.Throws<InvalidOperationException>(() => sealer.Seal(new ArrayBufferWriter<byte>(), RecordType.Data, 0, []));
    }

    [Fact]
    public void A_tampered_record_leaves_no_plaintext_in_the_destination()
    {
        var (sealer, opener) = TestKeys.Pair(CipherSuite.Aes128Gcm);
        byte[] wire = RecordStream.Write(sealer, [(RecordType.Data, 0, RecordRoundTripTests.Payload(5, 512))], end: false);
        wire[RecordHeader.Size + 10] ^= 1;
        var input = new ReadOnlySequence<byte>(wire);
        Assert.True(opener.TryReadHeader(input, out var header));
        byte[] destination = new byte[512];

        var error = Assert.Throws<RecordException>(() => opener.Open(input, header, destination));

        Assert.Equal(RecordErrorKind.AuthenticationFailed, error.Kind);
        Assert.All(destination, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Payloads_above_the_maximum_are_refused_by_the_sealer()
    {
        var (sealer, _) = TestKeys.Pair(CipherSuite.Aes128Gcm, new RecordOptions { MaxPayloadLength = 1000 });

        Assert.Throws<ArgumentException>(() => sealer.Seal(new ArrayBufferWriter<byte>(), RecordType.Data, 0, new byte[1001]));
    }

    [Fact]
    public void Options_refuse_payloads_beyond_the_ccm_limit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecordOptions { MaxPayloadLength = 1 << 24 });
        Assert.Equal((1 << 24) - 1, new RecordOptions { MaxPayloadLength = (1 << 24) - 1 }.MaxPayloadLength);
    }

    private static RecordErrorKind KindOf(RecordOpener opener, byte[] wire) =>
        Assert.Throws<RecordException>(() => RecordStream.ReadAll(opener, new ReadOnlySequence<byte>(wire))).Kind;

    private static bool Throws<T>(Action action)
        where T : Exception
    {
        try
        {
            action();
            return false;
        }
        catch (T)
        {
            return true;
        }
    }
}
