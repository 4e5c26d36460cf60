using System.Buffers;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Keys;
using KernelZones.Migration.Transport.Tests.Infrastructure;

namespace KernelZones.Migration.Transport.Tests.Framing;

public sealed class RecordNonceTests
{
    [Fact]
    public void The_sequence_counter_refuses_to_wrap()
    {
        using var schedule = TestKeys.Schedule();
        using var sealer = new RecordSealer(schedule.CreateStreamKeys(0, StreamDirection.SourceToDestination, CipherSuite.Aes128Gcm), null, ulong.MaxValue - 1);
        var output = new ArrayBufferWriter<byte>();

        sealer.Seal(output, RecordType.Data, 0, [1]);
        var error = Assert.Throws<RecordException>(() => sealer.Seal(output, RecordType.Data, 0, [2]));

        Assert.Equal(RecordErrorKind.CounterExhausted, error.Kind);
    }

    [Fact]
    public void Both_ends_rotate_keys_at_the_same_record_by_count_and_by_bytes()
    {
        foreach (var options in new[] { new RecordOptions { RecordsPerKey = 3 }, new RecordOptions { MaxPayloadLength = 100, BytesPerKey = 250 } })
        {
            var (sealer, opener) = TestKeys.Pair(CipherSuite.Aes128Ccm, options);
            var records = Enumerable.Range(0, 10).Select(i => (RecordType.Data, (long)i, RecordRoundTripTests.Payload(i, 100))).ToList();
            byte[] wire = RecordStream.Write(sealer, records);

            var opened = RecordStream.ReadAll(opener, new ReadOnlySequence<byte>(wire));

            Assert.Equal(11, opened.Count);
        }
    }

    [Fact]
    public void Rotation_really_changes_the_key()
    {
        // A reader that does not rotate cannot open the record sealed after the sealer rotated.
        var (sealer, _) = TestKeys.Pair(CipherSuite.Aes128Gcm, new RecordOptions { RecordsPerKey = 2 });
        var (_, opener) = TestKeys.Pair(CipherSuite.Aes128Gcm);
        byte[] wire = RecordStream.Write(sealer, Enumerable.Range(0, 3).Select(i => (RecordType.Data, (long)i, new byte[16])));

        var error = Assert.Throws<RecordException>(() => RecordStream.ReadAll(opener, new ReadOnlySequence<byte>(wire)));

        Assert.Equal(RecordErrorKind.AuthenticationFailed, error.Kind);
    }

    [Fact]
    public void The_same_plaintext_never_seals_to_the_same_bytes_twice()
    {
        var (sealer, _) = TestKeys.Pair(CipherSuite.Aes128Ccm, new RecordOptions { RecordsPerKey = 1 });
        var seen = new HashSet<string>();
        for (int i = 0; i < 50; i++)
        {
            var output = new ArrayBufferWriter<byte>();
            sealer.Seal(output, RecordType.Data, 0, new byte[32]);
            Assert.True(seen.Add(Convert.ToHexString(output.WrittenSpan[RecordHeader.Size..])));
        }
    }
}
