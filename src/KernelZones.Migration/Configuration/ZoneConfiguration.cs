using System.Collections.Immutable;

namespace KernelZones.Migration.Configuration;

/// <summary>
/// An immutable, validated zone configuration as zonecfg holds it: the zone name, the global properties and
/// the resources, each in the order they were set. Reads and writes both zonecfg text forms
/// (<see cref="ParseExport(string, string)"/>/<see cref="ToExport"/> and <see cref="ParseInfo(string)"/>/<see cref="ToInfo()"/>).
/// Thread-safe. Two configurations are equal when name, global properties and resources (in order, with
/// their property sets) are equal; <see cref="GlobalRootZpool"/> is not part of equality.
/// </summary>
public sealed partial class ZoneConfiguration : IEquatable<ZoneConfiguration>
{
    /// <summary>The most resources a configuration may have.</summary>
    public const int MaxResources = 65536;

    private readonly ZoneResource _globals;

    internal ZoneConfiguration(string zoneName, ImmutableArray<ZoneProperty> globalProperties, ImmutableArray<ZoneResource> resources, string globalRootZpool)
    {
        ZoneName = zoneName;
        _globals = ZoneResource.FromValidated("global", globalProperties);
        Resources = resources;
        GlobalRootZpool = globalRootZpool;
        Storage = ZoneStorage.Collect(this);
    }

    /// <summary>The zone name.</summary>
    public string ZoneName { get; }

    /// <summary>The global properties other than <c>zonename</c>, in the order they were set.</summary>
    internal ImmutableArray<ZoneProperty> GlobalProperties => _globals.Properties;

    /// <summary>The resources in order.</summary>
    public ImmutableArray<ZoneResource> Resources { get; }

    /// <summary>The global zone's root pool used to expand <c>%{global-rootzpool}</c>; default <c>rpool</c>. Not exported.</summary>
    public string GlobalRootZpool { get; }

    /// <summary>The storage of every <c>device</c> and of the <c>suspend</c> resource that names a storage URI.</summary>
    internal IReadOnlyList<ZoneStorage> Storage { get; }

    /// <summary>The brand; <c>solaris</c> when unset (zonecfg's <c>create -b</c> default).</summary>
    public string Brand => GetProperty(ZoneSchema.Brand) ?? "solaris";

    /// <summary>Whether the brand is <c>solaris-kz</c>.</summary>
    public bool IsKernelZone => Brand == ZoneSchema.KernelZoneBrand;

    /// <summary>The canonical value of a global property, or <see langword="null"/> when unset.</summary>
    public string? GetProperty(string name) => name == ZoneSchema.ZoneName ? ZoneName : _globals.GetValue(name);

    /// <summary>The resources of one type, in order.</summary>
    public IEnumerable<ZoneResource> GetResources(string type) => Resources.Where(r => r.Type == type);

    /// <summary>The value of a resource property with its template tokens expanded for this zone, or <see langword="null"/>.</summary>
    public string? GetExpandedValue(ZoneResource resource, string name)
    {
        ArgumentNullException.ThrowIfNull(resource);
        string? value = resource.GetValue(name);
        bool template = value is not null && ZoneSchema.FindResource(resource.Type)?.Find(name)?.Tokens is not (null or TemplateTokens.None);
        return template ? PropertyTemplate.Expand(value!, ZoneName, resource.Id, GlobalRootZpool) : value;
    }

    /// <summary>An editor holding a copy of this configuration.</summary>
    public ZoneConfigurationBuilder ToBuilder()
    {
        var builder = new ZoneConfigurationBuilder(ZoneName, setKernelZoneBrand: false) { GlobalRootZpool = GlobalRootZpool };
        foreach (ZoneProperty property in GlobalProperties)
        {
            builder.AddGlobal(property);
        }

        foreach (ZoneResource resource in Resources)
        {
            builder.AddResource(resource);
        }

        return builder;
    }

    /// <summary>A copy with another zone name; templates re-expand.</summary>
    /// <exception cref="ZoneConfigurationException">The name is invalid or an expanded storage URI becomes invalid.</exception>
    public ZoneConfiguration WithZoneName(string zoneName)
    {
        ZoneConfigurationBuilder builder = ToBuilder();
        builder.ZoneName = zoneName;
        return builder.Build();
    }

    /// <summary>A copy with another global root pool for <c>%{global-rootzpool}</c>.</summary>
    /// <exception cref="ZoneConfigurationException">The pool name is invalid.</exception>
    public ZoneConfiguration WithGlobalRootZpool(string globalRootZpool)
    {
        ZoneConfigurationBuilder builder = ToBuilder();
        builder.GlobalRootZpool = globalRootZpool;
        return builder.Build();
    }

    /// <summary>A copy with a global property set (validated); <see langword="null"/> clears it.</summary>
    /// <exception cref="ZoneConfigurationException">The name or value is invalid.</exception>
    public ZoneConfiguration WithProperty(string name, string? value) => ToBuilder().SetProperty(name, value).Build();

    /// <inheritdoc/>
    public bool Equals(ZoneConfiguration? other)
        => other is not null
        && other.ZoneName == ZoneName
        && other._globals.Equals(_globals)
        && other.Resources.SequenceEqual(Resources);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ZoneConfiguration other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ZoneName, GlobalProperties.Length, Resources.Length);

    /// <summary>The zone name and brand; never shows key material.</summary>
    public override string ToString() => $"{ZoneName} ({Brand}, {Resources.Length} resources)";
}
