using FsCheck;
using FsCheck.Fluent;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Tests.Storage;

namespace KernelZones.Migration.Tests.Configuration;

// FsCheck properties run through Check.One inside [Fact], as elsewhere in the repository.
public sealed class ZoneConfigurationProperties
{
    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Fact]
    public void Any_valid_configuration_round_trips_through_export() =>
        Check.One(s_config, Prop.ForAll(Configurations(), config =>
        {
            string export = config.ToExport();
            ZoneConfiguration parsed = ZoneConfiguration.ParseExport(export, config.ZoneName);
            return parsed.Equals(config) && parsed.ToExport() == export;
        }));

    [Fact]
    public void Any_valid_configuration_round_trips_through_info() =>
        Check.One(s_config, Prop.ForAll(Configurations(), config =>
        {
            string info = config.ToInfo();
            ZoneConfiguration plain = ZoneConfiguration.ParseInfo(info);
            ZoneConfiguration labelled = ZoneConfiguration.ParseInfo(config.ToInfo(labelResourceIds: true));
            ZoneConfiguration expected = WithoutShownDefaults(ZoneConfigurationInfoTests.WithoutKey(config));
            return plain.ToInfo() == info
                && ZoneConfigurationInfoTests.WithoutKey(plain).Equals(expected) && ZoneConfigurationInfoTests.WithoutKey(labelled).Equals(expected)
                && plain.GetResources("keysource").All(k => k.Properties.Single().IsRedacted);
        }));

    // What info shows for an unset property (Solaris's defaults) reads back as unset: info cannot tell the two apart.
    private static ZoneConfiguration WithoutShownDefaults(ZoneConfiguration config)
    {
        (string Name, string Value)[] globals = [("autoboot", "false"), ("autoshutdown", "shutdown"), ("brand", "solaris")];
        (string Name, string Value)[] network = [("configure-allowed-address", "true"), ("iov", "off"), ("lro", "auto")];
        ZoneConfigurationBuilder builder = config.ToBuilder();
        foreach ((string name, string value) in globals.Where(g => config.GetProperty(g.Name) == g.Value))
        {
            builder.SetProperty(name, null);
        }

        builder.RemoveResources(_ => true);
        foreach (ZoneResource resource in config.Resources)
        {
            ZoneResource shown = resource;
            foreach ((string name, string value) in network.Where(n => (resource.Type == "anet" || (resource.Type == "net" && n.Name == "configure-allowed-address")) && resource.GetValue(n.Name) == n.Value))
            {
                shown = shown.With(name, null);
            }

            builder.AddResource(shown);
        }

        return builder.Build();
    }

    [Fact]
    public void Random_text_never_crashes_the_parsers() =>
        Check.One(s_config.WithMaxTest(1000), Prop.ForAll(NoisyText(), text =>
        {
            Accepts(() => ZoneConfiguration.ParseExport(text, "z1"));
            Accepts(() => ZoneConfiguration.ParseInfo(text));
        }));

    private static void Accepts(Func<ZoneConfiguration> parse)
    {
        try
        {
            parse();
        }
        catch (ZoneConfigurationException)
        {
        }
    }

    private static Arbitrary<ZoneConfiguration> Configurations()
    {
        Gen<string> name = Gen.Elements("kz1", "mig1", "a", "Zone_2.b-c", "x9");
        Gen<string> text = Gen.Elements("auto", "mac-nospoof", "a b c", "kz=d -k -m verbose", "say \"hi\"", "back\\slash", "x;y#z", "net0", "(1,2)", "50%");
        Gen<(string, string)> global = Gen.OneOf(
            Gen.Elements(("autoboot", "true"), ("autoboot", "false"), ("autoshutdown", "suspend"), ("boot-priority", "low"),
                ("hostid", "0x2e7d2173"), ("cpu-arch", "migration-class1"), ("host-compatible", "level1,memlzr"), ("tenant", "t1"),
                ("autoshutdown", "shutdown"), ("zonepath", "/system/zones/%{zonename}"), ("pool", "pool_1")),
            text.Select(t => ("bootargs", t)),
            text.Select(t => ("x-vendor-note", t)));
        Gen<(string, string)> anetExtra = Gen.Elements(("iov", "off"), ("iov", "on"), ("lro", "auto"), ("lro", "off"), ("configure-allowed-address", "true"),
            ("configure-allowed-address", "false"), ("vlan-id", "10"), ("linkname", "net%{id}"), ("allowed-address", "10.0.0.2/24"));
        Gen<ZoneResource> anet = Gen.Choose(0, 3).Zip(text).Zip(Gen.ListOf(anetExtra)).Select(t => ZoneResource.Create("anet",
            [("lower-link", "auto"), ("id", t.Item1.Item1.ToString()), ("mac-address", t.Item1.Item2), .. t.Item2]));
        Gen<ZoneResource> device = Gen.OneOf(
            StorageUriProperties.Uris().Generator.Select(u => ZoneResource.Create("device", ("storage", u))),
            Gen.Choose(0, 3).Select(id => ZoneResource.Create("device", ("storage", "nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}"), ("id", id.ToString()), ("bootpri", "0"))),
            Gen.Constant(ZoneResource.Create("device", ("match", "/dev/dsk/c0t0d0"), ("allow-mhd", "true"))));
        Gen<ZoneResource> memory = Gen.Elements("4G", "512M", "1.5T", "12G").Zip(Gen.Elements<string?>(null, "largest-available", "fixed")).Select(t =>
            t.Item2 is null ? ZoneResource.Create("capped-memory", ("physical", t.Item1))
            : t.Item2 == "fixed" ? ZoneResource.Create("capped-memory", ("physical", t.Item1), ("pagesize-policy", "fixed"), ("pagesize", "256M"))
            : ZoneResource.Create("capped-memory", ("pagesize-policy", t.Item2), ("physical", t.Item1)));
        Gen<ZoneResource> single = Gen.Elements(
            ZoneResource.Create("virtual-cpu", ("ncpus", "4")),
            ZoneResource.Create("dedicated-cpu", ("ncpus", "2-4"), ("importance", "10")),
            ZoneResource.Create("suspend", ("path", "/system/zones/%{zonename}/suspend")),
            ZoneResource.Create("keysource", ("raw", "00112233445566778899aabbccddeeff")));
        Gen<ZoneResource> other = text.Select(t => Gen.Elements(
            ZoneResource.Create("admin", ("user", "jdoe"), ("auths", "migrate")),
            ZoneResource.Create("attr", ("name", "comment"), ("type", "string"), ("value", t)),
            ZoneResource.Create("net", ("physical", "net%{id}"), ("id", "3")),
            ZoneResource.Create("x-custom", ("some-prop", t)))).SelectMany(g => g);

        Gen<ZoneConfiguration> gen =
            from zoneName in name
            from globals in Gen.ListOf(global)
            from anets in Gen.ListOf(anet)
            from devices in Gen.ListOf(device)
            from singles in Gen.ListOf(Gen.OneOf(memory, single))
            from others in Gen.ListOf(other)
            select Build(zoneName, globals, [.. anets, .. devices, .. singles, .. others]);
        return Arb.From(gen);
    }

    private static ZoneConfiguration Build(string zoneName, IEnumerable<(string Name, string Value)> globals, IEnumerable<ZoneResource> resources)
    {
        var builder = new ZoneConfigurationBuilder(zoneName);
        foreach ((string name, string value) in globals)
        {
            builder.SetProperty(name, value);
        }

        var seen = new HashSet<string>();
        foreach (ZoneResource resource in resources)
        {
            string? key = resource.Type switch
            {
                "capped-memory" or "virtual-cpu" or "dedicated-cpu" or "suspend" or "keysource" => resource.Type,
                _ when resource.Id is int id => $"{resource.Type}/{id}",
                _ => null,
            };
            if (key is null || seen.Add(key))
            {
                builder.AddResource(resource);
            }
        }

        return builder.Build();
    }

    private static Arbitrary<string> NoisyText()
    {
        Gen<string> fragments = Gen.Elements("create -b\n", "set ", "add ", "end\n", "anet", "device", "capped-memory", "=", "\"", "\\", "\n", "\t",
            "physical", "4G", "%{zonename}", "%{id}", "%", "zonename: z\n", ": ", " not specified", " redacted", "storage", "nfs://a:b@h/x", "#", " 0:", "\r", "\u0001");
        return Arb.From(Gen.ListOf(fragments).Select(f => string.Concat(f.Take(40))));
    }
}
