using System.Buffers;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Control;
using KernelZones.Migration.Control.Internal;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Storage;
using KernelZones.Migration.Tests.Configuration;
using KernelZones.Testing.Fuzzing;

namespace KernelZones.Migration.Tests.Hostile;

/// <summary>
/// Every parser of outside input, fed random and mutated input: it succeeds or throws its documented exception, never
/// another type, and never hangs. The seed changes per run and is named in the output and in a failure;
/// <c>KZ_FUZZ_SEED</c> replays it and <c>KZ_FUZZ_CASES</c> sets the case count per parser for long campaigns.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly string[] s_storageUris =
    [
        "dev:/dev/zvol/dsk/rpool/kz1", "dev:zvol/dsk/rpool/kz1", "lu:luname.naa.600144f0dbf8af1900005582f1c90007",
        "lu:initiator.naa.600144f0dbf8af19,target.naa.600144f0dbf8af1a,luname.naa.600144f0dbf8af1900005582f1c90007",
        "iscsi://zfssa:3260/luname.naa.600144f0dbf8af1900005582f1c90007", "iscsi://[2001:db8::7]/target.iqn.1986-03.com.sun:02:kz1,lun.3",
        "nfs://zoss:zoss@kzx-05/zones/zoss/kz1.disk0", "nfs://u:60001@[::1]:2049/export/a", "file:///export/kz1/disk0.img",
    ];

    private static readonly string[] s_addresses =
    [
        "kzx-05", "kzx-05:12302", "root@kzx-05", "root@10.0.0.1:12302", "rads://root@kzx-05:12302", "ssh://admin@[2001:db8::1]:22",
        "rads://[::1]", "ssh://host.example.com",
    ];

    [Fact]
    public void Control_messages_decode_or_raise_a_protocol_error()
    {
        byte[][] samples = [.. MessageSamples().Select(Body)];
        FuzzCampaign.Run("control message (MessageCodec)", Mutations.Hostile(samples, 256), body => MessageCodec.Decode(body),
            e => e is MigrationException { Kind: MigrationFailureKind.Protocol }, ciCases: 3000);
    }

    [Fact]
    public void Zonecfg_export_text_parses_or_raises_a_configuration_error()
    {
        string[] samples = [ReferenceConfigurations.PuppetExport, ReferenceConfigurations.Mig1Export, ReferenceConfigurations.MemlzrExport];
        FuzzCampaign.Run("zonecfg export (ZoneConfiguration.ParseExport)", Mutations.Hostile(samples, 400), text => ZoneConfiguration.ParseExport(text, "mig1"),
            e => e is ZoneConfigurationException, ciCases: 1500);
    }

    [Fact]
    public void Zonecfg_info_text_parses_or_raises_a_configuration_error()
    {
        string[] samples = [ReferenceConfigurations.Mig1Info, .. ExportSamples().Select(c => c.ToInfo())];
        FuzzCampaign.Run("zonecfg info (ZoneConfiguration.ParseInfo)", Mutations.Hostile(samples, 400), text => ZoneConfiguration.ParseInfo(text),
            e => e is ZoneConfigurationException, ciCases: 1500);
    }

    [Fact]
    public void Storage_uris_parse_or_raise_a_storage_uri_format_error() =>
        FuzzCampaign.Run("storage URI (StorageUri.Parse)", Mutations.Hostile(s_storageUris, 120), text => StorageUri.Parse(text),
            e => e is StorageUriFormatException, ciCases: 3000);

    [Fact]
    public void Remote_addresses_parse_or_raise_an_invalid_address_error() =>
        FuzzCampaign.Run("remote address (RemoteAddress.Parse)", Mutations.Hostile(s_addresses, 80), text => RemoteAddress.Parse(text),
            e => e is MigrationException { Kind: MigrationFailureKind.InvalidAddress }, ciCases: 3000);

    [Fact]
    public void Authorized_keys_parse_or_raise_a_credentials_error()
    {
        using var first = ClientKey.Generate("alice@source");
        using var second = ClientKey.Generate("bob@source");
        string[] samples = [$"# keys\n{first.PublicKey}\n", $"{first.PublicKey}\n\n{second.PublicKey}\n", second.PublicKey.ToString()];
        FuzzCampaign.Run("authorized keys (AuthorizedKeys.Parse)", Mutations.Hostile(samples, 200), text => AuthorizedKeys.Parse(text),
            e => e is MigrationException { Kind: MigrationFailureKind.Credentials }, ciCases: 1500);
    }

    [Fact]
    public void Ssh_key_blobs_from_the_wire_parse_or_raise_a_credentials_error()
    {
        using var first = ClientKey.Generate();
        using var second = ClientKey.Generate();
        byte[][] samples = [first.PublicKey.ToBlob(), second.PublicKey.ToBlob()];
        FuzzCampaign.Run("ssh key blob (SshPublicKey.FromBlob)", Mutations.Hostile(samples, 160), blob => SshPublicKey.FromBlob(blob),
            e => e is MigrationException { Kind: MigrationFailureKind.Credentials }, ciCases: 1500);
    }

    [Fact]
    public void Key_signatures_from_the_wire_verify_or_not_without_throwing()
    {
        using var key = ClientKey.Generate();
        byte[] challenge = new byte[64];
        byte[][] samples = [key.Sign(challenge), key.Sign([1, 2, 3])];
        FuzzCampaign.Run("key signature (SshPublicKey.Verify)", Mutations.Hostile(samples, 160), signature => key.PublicKey.Verify(challenge, signature),
            _ => false, ciCases: 1000);
    }

    [Fact]
    public void Password_files_parse_or_raise_a_credentials_error()
    {
        // Low iteration counts keep each case cheap; the parser's checks are the same at any minimum.
        string verifier = PasswordVerifier.CreateUnchecked("secret", 10).ToString();
        string[] samples =
        [
            $"# users\nalice * {verifier}\nbob web1,db1 -\ncarol - {verifier}\n",
            $"root\t*\t{verifier}",
            $"  dave  a.b,c_d   {verifier}  \r\n#x\n",
        ];
        FuzzCampaign.Run("password file (UserDatabase.Parse)", Mutations.Hostile(samples, 200), text => UserDatabase.Parse(text, "users", 10),
            e => e is MigrationException { Kind: MigrationFailureKind.Credentials }, ciCases: 2000);
    }

    // Inputs the campaigns found; each escaped as FormatException from ZoneResource before the fix.
    [Theory]
    [InlineData("create -b\nset brand=solaris-kz\nset id=0d\n")]
    [InlineData("create -b\nset brand=solaris-kz\nadd suspend\nset path=/system/zones/%{zonename}/suspend\nset id=0system\nend\n")]
    public void A_non_numeric_id_anywhere_in_an_export_is_a_configuration_error(string export)
    {
        var error = Assert.Throws<ZoneConfigurationException>(() => ZoneConfiguration.ParseExport(export, "mig1"));
        Assert.Contains("id", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zonename: mig1\nbrand: solaris-kz\nsuspend:\n\tpath: /system/zones/mig1/suspend\n\tid: 0system/zones\n")]
    [InlineData("zonename: mig1\nbrand: solaris-kz\nanet:\n\tlower-link: auto\n\tid redacted\n")]
    public void A_non_numeric_or_redacted_id_in_info_text_is_a_configuration_error(string info)
    {
        var error = Assert.Throws<ZoneConfigurationException>(() => ZoneConfiguration.ParseInfo(info));
        Assert.Contains("id", error.Message, StringComparison.Ordinal);
    }

    private static readonly int[] s_one = [1];

    [Fact]
    public void The_campaign_fails_on_a_foreign_exception_and_on_a_hang_naming_the_seed()
    {
        var gen = FsCheck.Fluent.Gen.Choose(0, 100);
        string replay = $"{FuzzCampaign.SeedVariable}={FuzzCampaign.Seed}";
        var foreign = Assert.ThrowsAny<Exception>(() => FuzzCampaign.Run(FuzzCampaign.SelfTest, gen, n => _ = s_one[n % 2], e => e is FormatException, ciCases: 200));
        Assert.Contains(replay, foreign.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(IndexOutOfRangeException), foreign.Message, StringComparison.Ordinal);

        // A case that never returns (until the campaign has given up on it) counts as a hang.
        using var release = new ManualResetEventSlim();
        var hang = Assert.ThrowsAny<Exception>(() => FuzzCampaign.Run(FuzzCampaign.SelfTest, gen, n => release.Wait(n > 50 ? Timeout.InfiniteTimeSpan : TimeSpan.Zero), _ => true, ciCases: 200, caseTimeout: TimeSpan.FromMilliseconds(200)));
        release.Set();
        Assert.Contains(replay, hang.Message, StringComparison.Ordinal);
        Assert.Contains("did not finish", hang.Message, StringComparison.Ordinal);

        FuzzCampaign.Run(FuzzCampaign.SelfTest, gen, n => _ = n > 50 ? throw new FormatException() : n, e => e is FormatException, ciCases: 200);
    }

    [Fact]
    public void A_seed_replays_the_same_cases()
    {
        var gen = Mutations.Hostile(s_addresses, 80);
        var first = new List<string>();
        var second = new List<string>();

        FuzzCampaign.Run(FuzzCampaign.SelfTest, gen, first.Add, _ => false, ciCases: 300);
        FuzzCampaign.Run(FuzzCampaign.SelfTest, gen, second.Add, _ => false, ciCases: 300);

        Assert.Equal(300, first.Count);
        Assert.Equal(first, second);
    }

    internal static IEnumerable<ControlMessage> MessageSamples() =>
    [
        Hello.From(new HostOffer { HostName = "src" }),
        new AuthChallenge(new byte[32]),
        new PasswordAuthentication("alice", "secret"),
        new KeyAuthentication("alice", [1, 2, 3], [4, 5]),
        new Authenticated("bob", false, ["web1", "db1"]),
        new Acknowledged(MessageKind.Attach),
        new ImportConfiguration("kz1", ReferenceConfigurations.Mig1Export),
        new BootMigratingIn("kz1"),
        new CheckCompatibility(new ZoneRequirements("kz1", "solaris-kz", 4L << 30, "largest-available", 4, "migration-class1", ["level1"], [new StorageRequirement("nfs://srv/kz1", true)])),
        new CheckCompatibility(new ZoneRequirements("kz1", "solaris-kz", 4L << 30, "largest-available", 4, "migration-class1", ["level1"], [new StorageRequirement("nfs://srv/kz1", true)], "kvm-x86/1")),
        new CompatibilityResult(["brand differs", "memory"]),
        new Negotiate("aes-128-gcm", 8, 4L << 30),
        new NegotiateResult("aes-128-ccm", 2, Guid.NewGuid(), new byte[32], 8102),
        new NegotiateResult("aes-128-ccm", 2, Guid.NewGuid(), new byte[32], 8102, TimeSpan.FromMilliseconds(11_000.5)),
        new RoundComplete(3, 10, 40960, 2, 8192),
        new VerifyResult(1000, new byte[32]),
        new VerifyResult(1000, new byte[32], new GuestStart(TimeSpan.FromMilliseconds(12.5), TimeSpan.FromMilliseconds(9.75))),
        new Commit(Guid.NewGuid()),
        new ErrorMessage(MigrationFailureKind.Compatibility, "configuration check failed:"),
        new KernelZones.Migration.Control.IncomingState(Guid.NewGuid(), IncomingMigrationState.Committed),
    ];

    private static IEnumerable<ZoneConfiguration> ExportSamples() =>
        [ZoneConfiguration.ParseExport(ReferenceConfigurations.PuppetExport, "kzone1"), ZoneConfiguration.ParseExport(ReferenceConfigurations.Mig1Export, "mig1")];

    private static byte[] Body(ControlMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        MessageCodec.WriteFrame(message, output);
        return output.WrittenSpan[MessageCodec.HeaderSize..].ToArray();
    }
}
