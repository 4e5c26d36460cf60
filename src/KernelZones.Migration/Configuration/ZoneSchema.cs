namespace KernelZones.Migration.Configuration;

/// <summary>
/// The global properties and resource types of a <c>solaris-kz</c> zone, in <c>zonecfg info</c> order. Names the
/// schema does not know are still accepted as text and kept.
/// </summary>
internal static class ZoneSchema
{
    public const string ZoneName = "zonename";
    public const string Brand = "brand";
    public const string KernelZoneBrand = "solaris-kz";
    public const string IdProperty = "id";

    // The global properties in the order zonecfg's info prints them: illumos zonecfg.c's info_func order (zonename,
    // zonepath, brand, autoboot, bootargs, pool, limitpriv, scheduling-class, ip-type, hostid, fs-allowed) with
    // Solaris 11's additions where its info of a solaris-brand zone puts them (autoshutdown after autoboot,
    // file-mac-profile after bootargs, tenant after hostid). The lines a solaris-kz zone always prints are those of
    // Solaris 11.3's info of a kernel zone: zonename, brand, autoboot, autoshutdown, bootargs, pool,
    // scheduling-class, hostid and tenant; an unset one as "name: " (zonecfg.c prints "%s: %s\n"), autoboot and
    // autoshutdown with their defaults. A kernel zone has no zonepath and is always exclusive-IP, so zonepath,
    // ip-type and the properties kernel zones do not support (file-mac-profile, limitpriv, fs-allowed) print only
    // when set, as do the later additions boot-priority, cpu-arch and host-compatible (after tenant).
    private static readonly PropertySpec[] s_globals =
    [
        new(ZoneName, PropertyKind.Text, ShownWhenUnset: true),
        new("zonepath", PropertyKind.Text, TemplateTokens.ZoneName),
        new(Brand, PropertyKind.Text, Default: "solaris"),
        new("autoboot", PropertyKind.Boolean, Default: "false"),
        new("autoshutdown", PropertyKind.AutoShutdown, Default: "shutdown"),
        new("bootargs", PropertyKind.Text, ShownWhenUnset: true),
        new("file-mac-profile", PropertyKind.Text),
        new("pool", PropertyKind.Text, ShownWhenUnset: true),
        new("limitpriv", PropertyKind.Text),
        new("scheduling-class", PropertyKind.Text, ShownWhenUnset: true),
        new("ip-type", PropertyKind.Text),
        new("hostid", PropertyKind.HostId, ShownWhenUnset: true),
        new("tenant", PropertyKind.Text, ShownWhenUnset: true),
        new("fs-allowed", PropertyKind.Text),
        new("boot-priority", PropertyKind.BootPriority),
        new("cpu-arch", PropertyKind.Text),
        new("host-compatible", PropertyKind.Text),
    ];

    // Each resource's properties in info order. Shown when unset: every property of a kernel zone's anet (Solaris
    // 11.3's info of a kernel zone lists them from lower-link to id, with configure-allowed-address, iov and lro at
    // their defaults; linkname, pkey and linkmode belong to other brands and print only when set); a device's match,
    // storage, id and bootpri (11.3 prints match as "not specified" on every device); a suspend's path and storage
    // (11.2's info suspend); the properties zonecfg.c's output_net, output_attr and output_auth print. Not shown when
    // unset: capped-memory's (zonecfg.c's output_mcap prints only what is set, and 11.3 shows a kernel zone's
    // memory as physical alone), virtual-cpu's and dedicated-cpu's counts, allow-mhd, keysource's raw.
    private static readonly Dictionary<string, ResourceSpec> s_resources = new ResourceSpec[]
    {
        new("anet", true,
        [
            new("linkname", PropertyKind.Text, TemplateTokens.Id),
            .. Shown("lower-link", "allowed-address"),
            new("configure-allowed-address", PropertyKind.Boolean, Default: "true"),
            .. Shown("defrouter", "allowed-dhcp-cids", "link-protection", "mac-address", "mac-prefix", "mac-slot"),
            new("vlan-id", PropertyKind.Integer, ShownWhenUnset: true),
            .. Shown("priority", "rxrings", "txrings"),
            new("mtu", PropertyKind.Integer, ShownWhenUnset: true),
            .. Shown("maxbw", "bwshare", "rxfanout", "vsi-typeid", "vsi-vers", "vsi-mgrid", "etsbw-lcl"),
            new("cos", PropertyKind.Integer, ShownWhenUnset: true),
            .. Texts("pkey", "linkmode"),
            .. Shown("evs", "vport"),
            new("iov", PropertyKind.Text, Default: "off"),
            new("lro", PropertyKind.Text, Default: "auto"),
            new(IdProperty, PropertyKind.Integer, ShownWhenUnset: true),
        ]),
        new("net", true,
        [
            .. Shown("address", "allowed-address"),
            new("configure-allowed-address", PropertyKind.Boolean, Default: "true"),
            new("physical", PropertyKind.Text, TemplateTokens.Id, ShownWhenUnset: true),
            .. Shown("defrouter"),
            new(IdProperty, PropertyKind.Integer),
        ]),
        new("device", true,
        [
            new("match", PropertyKind.Text, TemplateTokens.ZoneName | TemplateTokens.Id | TemplateTokens.GlobalRootZpool, ShownWhenUnset: true),
            new("storage", PropertyKind.StorageUri, TemplateTokens.ZoneName | TemplateTokens.Id | TemplateTokens.GlobalRootZpool, ShownWhenUnset: true),
            new(IdProperty, PropertyKind.Integer, ShownWhenUnset: true),
            new("bootpri", PropertyKind.Integer, ShownWhenUnset: true),
            new("allow-mhd", PropertyKind.Boolean),
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
        new("admin", true, [.. Shown("user", "auths")]),
        new("attr", true, [.. Shown("name", "type", "value")]),
    }.ToDictionary(r => r.Type, StringComparer.Ordinal);

    /// <summary>The global properties in <c>info</c> order.</summary>
    public static ResourceSpec Globals { get; } = new(string.Empty, false, s_globals);

    public static ResourceSpec? FindResource(string type) => s_resources.GetValueOrDefault(type);

    /// <summary>Resource types may appear several times unless the schema says otherwise; unknown types may repeat.</summary>
    public static bool AllowsMultiple(string type) => FindResource(type)?.AllowsMultiple ?? true;

    private static IEnumerable<PropertySpec> Texts(params string[] names) => names.Select(n => new PropertySpec(n, PropertyKind.Text));

    private static IEnumerable<PropertySpec> Shown(params string[] names) => names.Select(n => new PropertySpec(n, PropertyKind.Text, ShownWhenUnset: true));
}
