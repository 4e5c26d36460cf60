using FsCheck;
using FsCheck.Fluent;
using KernelZones.Migration.Storage;

namespace KernelZones.Migration.Tests.Storage;

// FsCheck properties run through Check.One inside [Fact], as elsewhere in the repository.
public sealed class StorageUriProperties
{
    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(500);

    [Fact]
    public void Any_valid_uri_round_trips_through_its_canonical_form() =>
        Check.One(s_config, Prop.ForAll(Uris(), text =>
        {
            StorageUri uri = StorageUri.Parse(text);
            StorageUri again = StorageUri.Parse(uri.ToString());
            return again.Equals(uri) && again.ToString() == uri.ToString() && again.Kind == uri.Kind;
        }));

    [Fact]
    public void Random_text_gives_a_uri_or_a_storage_uri_format_exception() =>
        Check.One(s_config, Prop.ForAll(NoisyText(), text =>
        {
            try
            {
                return StorageUri.Parse(text) is not null;
            }
            catch (StorageUriFormatException)
            {
                return true;
            }
        }));

    internal static Arbitrary<string> Uris()
    {
        Gen<string> hex16 = Gen.ArrayOf(Gen.Elements("0123456789abcdefABCDEF".ToCharArray()), 16).Select(c => new string(c));
        Gen<string> hex = Gen.OneOf(hex16, hex16.Zip(hex16).Select(t => t.Item1 + t.Item2), hex16.Select(h => h + "00aa11bb"));
        Gen<string> word = Gen.NonEmptyListOf(Gen.Elements("abcxyz019-_.".ToCharArray())).Select(c => "a" + new string([.. c.Take(12)]));
        Gen<string> path = Gen.NonEmptyListOf(word).Select(w => "/" + string.Join('/', w.Take(5)));
        Gen<string> host = Gen.OneOf(
            Gen.Elements("kzx-05", "zfssa", "system", "10.0.0.1", "[::1]", "[2001:db8::7]", "Host.Example.COM"),
            Gen.Choose(1, 65535).Select(p => $"h{p}"));
        Gen<string> port = Gen.OneOf(Gen.Constant(string.Empty), Gen.Choose(1, 65535).Select(p => ":" + p));
        Gen<string> luname = Gen.Elements("naa.", "eui.", "NAA.").Zip(hex).Select(t => "luname." + t.Item1 + t.Item2);
        Gen<string> gen = Gen.OneOf(
            path.Select(p => "dev:" + p),
            path.Select(p => "dev:" + p[1..]),
            path.Select(p => "dev://" + p),
            luname.Select(l => "lu:" + l),
            from a in hex16 from b in hex16 from l in luname select $"lu:initiator.naa.{a},target.naa.{b},{l}",
            from h in host from p in port from l in luname select $"iscsi://{h}{p}/{l}",
            luname.Select(l => "iscsi:///" + l),
            from h in host from w in word.Select(x => x.Replace('_', '-')) from lun in Gen.Choose(0, 16383) select $"iscsi://{h}/target.iqn.1986-03.com.sun:02:{w},lun.{lun}",
            from u in word from g in Gen.Choose(0, 60000) from h in host from p in port from f in path select $"nfs://{u}:{g}@{h}{p}{f}",
            path.Select(p => "file://" + p));
        return Arb.From(gen);
    }

    internal static Arbitrary<string> NoisyText()
    {
        Gen<string> fragments = Gen.Elements("dev:", "lu:", "iscsi://", "nfs://", "file://", "luname.", "naa.", "eui.", "target.iqn.", ",lun.",
            "[", "]", ":", "@", "/", "//", "..", "%", "0123456789abcdef", "host", "::1", "99999", " ", "\u0000", "é");
        return Arb.From(Gen.ListOf(fragments).Select(f => string.Concat(f.Take(12))));
    }
}
