using FsCheck.Fluent;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Keys;
using KernelZones.Migration.Transport.Striping;
using KernelZones.Migration.Transport.Tests.Infrastructure;
using KernelZones.Testing.Fuzzing;

namespace KernelZones.Migration.Transport.Tests.Hostile;

/// <summary>
/// The data plane's parsers of peer bytes, fed random and mutated input: the record opener ends in a record or a
/// <see cref="RecordException"/>, the stripe handshake in admit or refuse, never another exception and never a hang.
/// The seed (samples and cases) changes per run and is named in the output; <c>KZ_FUZZ_SEED</c> replays it and
/// <c>KZ_FUZZ_CASES</c> sets the case count per parser for long campaigns.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly RecordOptions s_options = new() { MaxPayloadLength = 4096 };

    [Theory]
    [InlineData(CipherSuite.Aes128Gcm)]
    [InlineData(CipherSuite.Aes128Ccm)]
    [InlineData(CipherSuite.None)]
    public void Record_streams_open_or_raise_a_record_exception(string cipher)
    {
        byte[][] samples = [.. Enumerable.Range(1, 4).Select(index => ValidStream(cipher, index))];
        var inputs = from bytes in Mutations.Hostile(samples, 300)
                     from cut in Gen.Choose(0, 400)
                     select (Bytes: bytes, Cut: cut);
        FuzzCampaign.Run($"record framing (RecordOpener, {cipher})", inputs, input => ReadAll(cipher, input.Bytes, input.Cut),
            e => e is RecordException, ciCases: 1000);
    }

    [Fact]
    public void Stripe_hellos_are_admitted_or_refused_without_throwing()
    {
        byte[] key = new byte[32];
        FuzzCampaign.CreateRandom(5).NextBytes(key);
        byte[][] samples = [.. Enumerable.Range(0, 4).Select(i => Hello(new Guid(i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), i, 4, key))];
        FuzzCampaign.Run("stripe handshake hello (StripeHandshake)", Mutations.Hostile(samples, 120), bytes => AdmitHello(bytes, key),
            _ => false, ciCases: 3000);
    }

    [Fact]
    public void Stripe_replies_are_verified_or_refused_without_throwing()
    {
        byte[] key = new byte[32];
        FuzzCampaign.CreateRandom(6).NextBytes(key);
        byte[] hello = Hello(Guid.NewGuid(), 0, 1, key);
        byte[] reply = new byte[StripeHandshake.ReplySize];
        StripeHandshake.WriteReply(reply, hello, key);
        FuzzCampaign.Run("stripe handshake reply (StripeHandshake)", Mutations.Hostile([reply], 60), bytes => VerifyReply(bytes, hello, key),
            _ => false, ciCases: 2000);
    }

    /// <summary>What the listener does with the first bytes: reads exactly one hello's worth, then parses and verifies it.</summary>
    private static void AdmitHello(byte[] bytes, byte[] key)
    {
        byte[] hello = new byte[StripeHandshake.HelloSize];
        bytes.AsSpan(0, Math.Min(bytes.Length, hello.Length)).CopyTo(hello);
        if (StripeHandshake.ReadHello(hello) is { } header && header.StripeIndex < header.StripeCount)
        {
            _ = StripeHandshake.VerifyHello(hello, key);
            _ = StripeHandshake.Nonce(hello);
        }
    }

    private static void VerifyReply(byte[] bytes, byte[] hello, byte[] key)
    {
        byte[] reply = new byte[StripeHandshake.ReplySize];
        bytes.AsSpan(0, Math.Min(bytes.Length, reply.Length)).CopyTo(reply);
        _ = StripeHandshake.VerifyReply(reply, hello, key);
    }

    private static byte[] Hello(Guid migration, int stripe, int count, byte[] key)
    {
        byte[] hello = new byte[StripeHandshake.HelloSize];
        StripeHandshake.WriteHello(hello, migration, stripe, count, key);
        return hello;
    }

    private static byte[] ValidStream(string cipher, int index)
    {
        Random random = FuzzCampaign.CreateRandom(index);
        (RecordSealer sealer, RecordOpener opener) = TestKeys.Pair(cipher, s_options, seed: 11);
        using (sealer)
        using (opener)
        {
            var records = Enumerable.Range(0, random.Next(1, 5)).Select(i =>
            {
                byte[] payload = new byte[random.Next(0, 300)];
                random.NextBytes(payload);
                return (i % 3 == 2 ? RecordType.Control : RecordType.Data, (long)i * 4096, payload);
            });
            return RecordStream.Write(sealer, records, end: index % 2 == 0);
        }
    }

    /// <summary>Reads the stream the way a stripe's receive loop does, split in two segments at <paramref name="cut"/>.</summary>
    private static void ReadAll(string cipher, byte[] bytes, int cut)
    {
        using var schedule = TestKeys.Schedule(11);
        using var opener = new RecordOpener(schedule.CreateStreamKeys(0, StreamDirection.SourceToDestination, cipher), s_options);
        RecordStream.ReadAll(opener, Sequences.Split(bytes, [Math.Min(cut, bytes.Length)]));
    }
}
