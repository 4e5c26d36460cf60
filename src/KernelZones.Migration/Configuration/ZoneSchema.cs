namespace KernelZones.Migration.Configuration;

/// <summary>
/// The global properties and resource types of a <c>solaris-kz</c> zone (solaris-kz.md §3.1-3.3). Names the
/// schema does not know are still accepted as text and kept.
/// </summary>
internal static class ZoneSchema
{
    public const string ZoneName = "zonename";
    public const string Brand = "brand";
    public const string KernelZoneBrand = "solaris-kz";
    public const string IdProperty = "id";

    private static readonly PropertySpec[] s_globals =
    [
        new(ZoneName, PropertyKind.Text),
        new(Brand, PropertyKind.Text),
        new("zonepath", PropertyKind.Text, TemplateTokens.ZoneName),
        new("autoboot", PropertyKind.Boolean),
        new("autoshutdown", PropertyKind.AutoShutdown),
        new("bootargs", PropertyKind.Text),
        new("pool", PropertyKind.Text),
        new("scheduling-class", PropertyKind.Text),
        new("ip-type", PropertyKind.Text),
        new("hostid", PropertyKind.HostId),
        new("tenant", PropertyKind.Text),
        new("boot-priority", PropertyKind.BootPriority),
        new("cpu-arch", PropertyKind.Text),
        new("host-compatible", PropertyKind.Text),
    ];

    private static readonly Dictionary<string, ResourceSpec> s_resources = new ResourceSpec[]
    {
        new("anet", true, Texts("linkname", "lower-link", "allowed-address").Select(p => p.Name == "linkname" ? p with { Tokens = TemplateTokens.Id } : p)
            .Append(new("configure-allowed-address", PropertyKind.Boolean))
            .Concat(Texts("defrouter", "allowed-dhcp-cids", "link-protection", "mac-address", "mac-prefix", "mac-slot"))
            .Append(new("vlan-id", PropertyKind.Integer))
            .Concat(Texts("priority", "rxrings", "txrings"))
            .Append(new("mtu", PropertyKind.Integer))
            .Concat(Texts("maxbw", "bwshare", "rxfanout", "vsi-typeid", "vsi-vers", "vsi-mgrid", "etsbw-lcl"))
            .Append(new("cos", PropertyKind.Integer))
            .Concat(Texts("evs", "vport", "iov", "lro", "pkey", "linkmode"))
            .Append(new(IdProperty, PropertyKind.Integer)).ToArray()),
        new("net", true,
        [
            new("physical", PropertyKind.Text, TemplateTokens.Id), new("allowed-address", PropertyKind.Text),
            new("configure-allowed-address", PropertyKind.Boolean), new("defrouter", PropertyKind.Text), new(IdProperty, PropertyKind.Integer),
        ]),
        new("device", true,
        [
            new("match", PropertyKind.Text, TemplateTokens.ZoneName | TemplateTokens.Id | TemplateTokens.GlobalRootZpool, ShownWhenUnset: true),
            new("storage", PropertyKind.StorageUri, TemplateTokens.ZoneName | TemplateTokens.Id | TemplateTokens.GlobalRootZpool, ShownWhenUnset: true),
            new(IdProperty, PropertyKind.Integer), new("bootpri", PropertyKind.Integer), new("allow-mhd", PropertyKind.Boolean),
        ]),
        new("capped-memory", false,
        [
            new("physical", PropertyKind.MemorySize), new("pagesize-policy", PropertyKind.PageSizePolicy),
            new("pagesize", PropertyKind.MemorySize), new("locked", PropertyKind.MemorySize), new("swap", PropertyKind.MemorySize),
        ]),
        new("virtual-cpu", false, [new("ncpus", PropertyKind.CpuCount)]),
        new("dedicated-cpu", false,
        [
            new("ncpus", PropertyKind.CpuRange), new("cpus", PropertyKind.Text), new("cores", PropertyKind.Text),
            new("sockets", PropertyKind.Text), new("importance", PropertyKind.Integer),
        ]),
        new("suspend", false,
        [
            new("path", PropertyKind.Text, TemplateTokens.ZoneName, ShownWhenUnset: true),
            new("storage", PropertyKind.StorageUri, TemplateTokens.ZoneName | TemplateTokens.GlobalRootZpool, ShownWhenUnset: true),
        ]),
        new("keysource", false, [new("raw", PropertyKind.Secret)]),
        new("admin", true, Texts("user", "auths").ToArray()),
        new("attr", true, Texts("name", "type", "value").ToArray()),
    }.ToDictionary(r => r.Type, StringComparer.Ordinal);

    /// <summary>The global properties in <c>info</c> order.</summary>
    public static ResourceSpec Globals { get; } = new(string.Empty, false, s_globals);

    public static ResourceSpec? FindResource(string type) => s_resources.GetValueOrDefault(type);

    /// <summary>Resource types may appear several times unless the schema says otherwise; unknown types may repeat.</summary>
    public static bool AllowsMultiple(string type) => FindResource(type)?.AllowsMultiple ?? true;

    private static IEnumerable<PropertySpec> Texts(params string[] names) => names.Select(n => new PropertySpec(n, PropertyKind.Text));
}
