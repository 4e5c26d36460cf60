namespace KernelZones.Migration.Configuration;

/// <summary>Collects the properties of one resource between <c>add</c> and <c>end</c>, validating each as it is set.</summary>
internal sealed class ResourceBuilder
{
    // Every resource's id is a number (ZoneResource.Id reads it as one), also where the schema does not list it:
    // otherwise "set id=x" on a suspend resource or at global scope would escape as a FormatException (found by fuzzing).
    private static readonly PropertySpec s_anyId = new(ZoneSchema.IdProperty, PropertyKind.Integer);
    private readonly ResourceSpec? _spec;
    private readonly List<ZoneProperty> _properties = [];

    public ResourceBuilder(string type, SourceLine line)
    {
        PropertyRules.CheckName(type, "resource type", line);
        Type = type;
        _spec = ZoneSchema.FindResource(type);
    }

    private ResourceBuilder(ResourceSpec globals)
    {
        Type = "global";
        _spec = globals;
    }

    /// <summary>A builder for the global properties, validated against <see cref="ZoneSchema.Globals"/>.</summary>
    public static ResourceBuilder ForGlobals() => new(ZoneSchema.Globals);

    public string Type { get; }

    public void Set(string name, string value, SourceLine line)
    {
        PropertyRules.CheckName(name, $"{Type} property", line);
        PropertySpec? spec = _spec?.Find(name) ?? (name == ZoneSchema.IdProperty ? s_anyId : null);
        if (spec?.Kind == PropertyKind.Secret && value.Length == 0)
        {
            throw line.Error($"empty key for {Type} {name}", "hex digits");
        }

        Add(new ZoneProperty(name, PropertyRules.Normalize(Type, spec, name, value, line), isRedacted: false), line);
    }

    public void SetRedacted(string name, SourceLine line)
    {
        PropertyRules.CheckName(name, $"{Type} property", line);
        PropertySpec? spec = _spec?.Find(name) ?? (name == ZoneSchema.IdProperty ? s_anyId : null);
        if (spec is not null && spec.Kind != PropertyKind.Secret)
        {
            // Only secrets are shown redacted; a redacted id or number would have no value to read (found by fuzzing).
            throw line.Error($"{Type} {name} cannot be redacted", "a value; only secret properties such as keysource raw are shown redacted");
        }

        Add(new ZoneProperty(name, string.Empty, isRedacted: true), line);
    }

    public void Add(ZoneProperty property, SourceLine line = default)
    {
        int index = _properties.FindIndex(p => p.Name == property.Name);
        if (index >= 0)
        {
            _properties[index] = property;
            return;
        }

        if (_properties.Count == ZoneResource.MaxProperties)
        {
            throw line.Error($"{Type} has more than {ZoneResource.MaxProperties} properties", $"at most {ZoneResource.MaxProperties}");
        }

        _properties.Add(property);
    }

    public void Remove(string name) => _properties.RemoveAll(p => p.Name == name);

    public bool Has(string name) => _properties.Exists(p => p.Name == name);

    public ZoneResource Build() => ZoneResource.FromValidated(Type, [.. _properties]);
}
