using KernelZones.Migration.Control;
using KernelZones.Migration.Negotiation;

namespace KernelZones.Migration.Tests.Negotiation;

public sealed class NegotiationTests
{
    private static Hello Host(string name, bool allowNone = false, int cpus = 8, params string[] ciphers) =>
        Hello.From(new HostOffer { HostName = name, AllowNone = allowNone, CpuCount = cpus, Ciphers = ciphers.Length == 0 ? ["aes-128-ccm", "aes-128-gcm", "none"] : ciphers });

    [Fact]
    public void Cipher_list_shows_both_hosts()
    {
        var list = new CipherList(Host("s", allowNone: true).Ciphers, Host("d", allowNone: true, ciphers: ["aes-128-gcm", "none"]).Ciphers);
        Assert.Equal(["source ciphers: aes-128-ccm aes-128-gcm none", "destination ciphers: aes-128-gcm none"], list.Lines);
    }

    [Fact]
    public void A_host_that_does_not_allow_none_does_not_list_it()
    {
        Assert.Equal(["aes-128-ccm", "aes-128-gcm"], Host("d").Ciphers);
        Assert.Equal(["aes-128-ccm", "aes-128-gcm", "none"], Host("d", allowNone: true).Ciphers);
    }

    [Fact]
    public void Default_is_the_first_source_cipher_both_support()
    {
        Assert.Equal("aes-128-ccm", CipherChoice.Choose(null, Host("s"), Host("d")));
        Assert.Equal("aes-128-gcm", CipherChoice.Choose(null, Host("s"), Host("d", ciphers: ["aes-128-gcm", "none"])));
        Assert.Equal("aes-128-gcm", CipherChoice.Choose(null, Host("s", ciphers: ["aes-128-gcm", "aes-128-ccm"]), Host("d")));
    }

    [Fact]
    public void Requested_cipher_missing_on_one_side_names_that_side()
    {
        MigrationException e = Assert.Throws<MigrationException>(() => CipherChoice.Choose("aes-128-ccm", Host("s"), Host("dst", ciphers: ["aes-128-gcm"])));
        Assert.Equal(MigrationFailureKind.Cipher, e.Kind);
        Assert.Contains("not supported on the destination (dst)", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<MigrationException>(() => CipherChoice.Choose("aes-128-cbc", Host("src"), Host("d")));
        Assert.Contains("not supported on the source (src)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false, "the source (s)")]
    [InlineData(true, false, "the destination (d)")]
    [InlineData(false, true, "the source (s)")]
    public void None_needs_both_opt_ins(bool source, bool destination, string refusing)
    {
        MigrationException e = Assert.Throws<MigrationException>(() => CipherChoice.Choose("none", Host("s", source), Host("d", destination)));
        Assert.Contains(refusing, e.Message, StringComparison.Ordinal);
        Assert.Equal("none", CipherChoice.Choose("none", Host("s", true), Host("d", true)));
    }

    [Theory]
    [InlineData(1, 2, 1)]
    [InlineData(2, 2, 1)]
    [InlineData(4, 2, 2)]
    [InlineData(4, 4, 2)]
    [InlineData(64, 2, 2)]
    [InlineData(64, 4, 4)]
    [InlineData(64, 64, 32)]
    public void Stripe_count_is_one_per_2_GiB_capped_by_cpus(int gib, int cpus, int expected) =>
        Assert.Equal(expected, StripeRule.Count((long)gib << 30, cpus, 64));

    [Fact]
    public void Stripe_count_honours_the_cap_and_the_smaller_cpu_count()
    {
        Assert.Equal(3, StripeRule.Count(64L << 30, 64, 64, cap: 3));
        Assert.Equal(2, StripeRule.Count(64L << 30, 64, 2));
        Assert.Equal(1, StripeRule.Count(0, 0, 0));
    }

    [Fact]
    public void Session_has_fresh_id_and_32_byte_secret()
    {
        var request = new Negotiate(null, 0, 4L << 30);
        NegotiateResult a = MigrationSession.Create(request, Host("s", cpus: 4), Host("d", cpus: 4), 8102);
        NegotiateResult b = MigrationSession.Create(request, Host("s", cpus: 4), Host("d", cpus: 4), 8102);
        Assert.Equal(32, a.SessionSecret.Length);
        Assert.NotEqual(a.MigrationId, b.MigrationId);
        Assert.False(a.SessionSecret.AsSpan().SequenceEqual(b.SessionSecret));
        Assert.Equal(2, a.StripeCount);
        Assert.DoesNotContain("SessionSecret", a.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Versions_accept_the_supported_range_only()
    {
        Hello local = Host("a");
        Assert.Equal(ProtocolVersion.Current, ProtocolVersion.Agree(local, local));
        Assert.Equal(ProtocolVersion.Minimum, ProtocolVersion.Agree(local, local with { MinVersion = ProtocolVersion.Minimum, MaxVersion = ProtocolVersion.Minimum }));
        MigrationException e = Assert.Throws<MigrationException>(() => ProtocolVersion.Agree(local, local with { HostName = "old", MinVersion = 2, MaxVersion = 2 }));
        Assert.Equal(MigrationFailureKind.Version, e.Kind);
        Assert.Contains("old speaks version 2", e.Message, StringComparison.Ordinal);
    }
}
