using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using KernelZones.Migration.Control;
using KernelZones.Migration.Control.Internal;
using KernelZones.Migration.Negotiation;

namespace KernelZones.Migration.Tests.Control;

public sealed class MessageCodecTests
{
    private static readonly ControlMessage[] s_samples =
    [
        Hello.From(new HostOffer { HostName = "src" }),
        new AuthChallenge(new byte[32]),
        new PasswordAuthentication("alice", "secret"),
        new KeyAuthentication("alice", [1, 2, 3], [4, 5]),
        new Authenticated("bob", false, ["web1"]),
        new Acknowledged(MessageKind.Attach),
        new ImportConfiguration("kz1", "create -b\nset brand=solaris-kz\n"),
        new Attach("kz1"),
        new BootMigratingIn("kz1"),
        new CheckCompatibility(new ZoneRequirements("kz1", "solaris-kz", 4L << 30, "largest-available", 4, "migration-class1", ["level1"], [new StorageRequirement("nfs://srv/kz1", true)])),
        new CheckCompatibility(new ZoneRequirements("kz1", "solaris-kz", 4L << 30, "largest-available", 4, "migration-class1", ["level1"], [new StorageRequirement("nfs://srv/kz1", true)], "kvm-x86/1")),
        new CompatibilityResult(["brand differs"]),
        new Negotiate(null, 8, 4L << 30),
        new NegotiateResult("aes-128-ccm", 2, Guid.NewGuid(), new byte[32], 8102),
        new NegotiateResult("aes-128-ccm", 2, Guid.NewGuid(), new byte[32], 8102, TimeSpan.FromMilliseconds(11_000.5)),
        new StartTransfer(Guid.NewGuid()),
        new RoundComplete(3, 10, 40960, 2, 8192),
        new Switchover(Guid.NewGuid()),
        new VerifyResult(1000, new byte[32]),
        new VerifyResult(1000, new byte[32], new GuestStart(TimeSpan.FromMilliseconds(12.5), TimeSpan.FromMilliseconds(9.75))),
        new Commit(Guid.NewGuid()),
        new Resumed(Guid.NewGuid()),
        new Abort("operator cancelled"),
        new ErrorMessage(MigrationFailureKind.Compatibility, "configuration check failed:"),
        new QueryIncomingState(Guid.NewGuid()),
        new KernelZones.Migration.Control.IncomingState(Guid.NewGuid(), IncomingMigrationState.Committed),
    ];

    public static TheoryData<int> SampleIndexes => new(Enumerable.Range(0, s_samples.Length));

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void Every_message_round_trips(int index)
    {
        byte[] body = Body(s_samples[index]);
        ControlMessage decoded = MessageCodec.Decode(body);
        Assert.Equal(s_samples[index].GetType(), decoded.GetType());
        Assert.Equal(body, Body(decoded));
    }

    [Fact]
    public void Random_bytes_never_crash_the_decoder() =>
        Prop.ForAll<byte[]>(bytes => DecodesOrRefuses(bytes)).QuickCheckThrowOnFailure();

    [Fact]
    public void Mutated_messages_never_crash_the_decoder() =>
        Prop.ForAll(
            Gen.Choose(0, s_samples.Length - 1).ToArbitrary(),
            ArbMap.Default.ArbFor<int>(),
            ArbMap.Default.ArbFor<byte>(),
            (index, position, value) =>
            {
                byte[] body = Body(s_samples[index]);
                body[Math.Abs(position % body.Length)] = value;
                return DecodesOrRefuses(body) && DecodesOrRefuses(body.AsSpan(0, Math.Abs(position % body.Length)).ToArray());
            }).QuickCheckThrowOnFailure();

    [Fact]
    public void Unknown_trailing_fields_from_a_later_version_are_skipped()
    {
        // [kind=Attach, ["kz1", "future field"]]
        byte[] body = [0x92, 0x0B, 0x92, 0xA3, (byte)'k', (byte)'z', (byte)'1', 0xA1, (byte)'x'];
        Assert.Equal(new Attach("kz1"), MessageCodec.Decode(body));
    }

    [Fact]
    public void A_verdict_without_a_guest_start_is_the_two_field_message_of_earlier_versions_and_a_start_reads_back()
    {
        Assert.Equal([0x92, 0x17, 0x92, 0x07, 0xC4, 0x00], Body(new VerifyResult(7, [])));
        var started = (VerifyResult)MessageCodec.Decode(Body(new VerifyResult(7, [], new GuestStart(TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(2)))));
        Assert.Equal(new GuestStart(TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(2)), started.Started);
    }

    [Fact]
    public void A_negotiation_result_without_a_guest_run_limit_is_the_five_field_message_of_earlier_versions_and_a_limit_reads_back()
    {
        NegotiateResult earlier = new("aes-128-gcm", 1, Guid.NewGuid(), new byte[32], 8102);
        Assert.Equal(0x95, Body(earlier)[2]);
        Assert.Null(((NegotiateResult)MessageCodec.Decode(Body(earlier))).GuestRunLimit);

        byte[] limited = Body(earlier with { GuestRunLimit = TimeSpan.FromSeconds(7) });
        Assert.Equal(0x96, limited[2]);
        Assert.Equal(TimeSpan.FromSeconds(7), ((NegotiateResult)MessageCodec.Decode(limited)).GuestRunLimit);
    }

    [Fact]
    public void Requirements_without_a_device_state_format_are_the_eight_field_form_of_earlier_versions_and_a_format_reads_back()
    {
        var earlier = new CheckCompatibility(new ZoneRequirements("kz1", "solaris-kz", 1L << 30, "", 1, "", [], []));
        Assert.Equal(0x98, Body(earlier)[3]); // the message's one-field array, then the requirements' array header
        Assert.Null(((CheckCompatibility)MessageCodec.Decode(Body(earlier))).Requirements.DeviceStateFormat);

        byte[] stated = Body(new CheckCompatibility(earlier.Requirements with { DeviceStateFormat = "simulated/1" }));
        Assert.Equal(0x99, stated[3]);
        Assert.Equal("simulated/1", ((CheckCompatibility)MessageCodec.Decode(stated)).Requirements.DeviceStateFormat);
    }

    [Theory]
    [InlineData("")]
    [InlineData("kvm x86/1")]
    [InlineData("kvm-x86/1\nerror: forged")]
    [InlineData("k\u00e9m/1")]
    public void A_device_state_format_that_is_empty_or_not_printable_ascii_without_spaces_is_refused(string format)
    {
        byte[] body = Body(new CheckCompatibility(new ZoneRequirements("kz1", "solaris-kz", 1L << 30, "", 1, "", [], [], System.Text.RegularExpressions.Regex.Unescape(format))));
        MigrationException refused = Assert.Throws<MigrationException>(() => MessageCodec.Decode(body));
        Assert.Equal(MigrationFailureKind.Protocol, refused.Kind);
        Assert.Contains("device state format", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(61 * 60 * 1000)]
    public void A_guest_run_limit_that_is_not_positive_or_longer_than_an_hour_is_refused(int milliseconds)
    {
        byte[] body = Body(new NegotiateResult("aes-128-gcm", 1, Guid.NewGuid(), new byte[32], 8102, TimeSpan.FromMilliseconds(milliseconds)));
        MigrationException refused = Assert.Throws<MigrationException>(() => MessageCodec.Decode(body));
        Assert.Equal(MigrationFailureKind.Protocol, refused.Kind);
    }

    [Fact]
    public void A_guest_start_ready_after_it_was_sent_is_refused()
    {
        // [kind=VerifyResult, [7, bin(0), running 1 µs, ready after 2 µs]]
        byte[] body = [0x92, 0x17, 0x94, 0x07, 0xC4, 0x00, 0x01, 0x02];
        MigrationException refused = Assert.Throws<MigrationException>(() => MessageCodec.Decode(body));
        Assert.Equal(MigrationFailureKind.Protocol, refused.Kind);
    }

    private static bool DecodesOrRefuses(byte[] bytes)
    {
        try
        {
            MessageCodec.Decode(bytes);
            return true;
        }
        catch (MigrationException e)
        {
            return e.Kind == MigrationFailureKind.Protocol;
        }
    }

    private static byte[] Body(ControlMessage message)
    {
        var writer = new ArrayBufferWriter<byte>();
        MessageCodec.WriteFrame(message, writer);
        return writer.WrittenSpan[MessageCodec.HeaderSize..].ToArray();
    }
}
