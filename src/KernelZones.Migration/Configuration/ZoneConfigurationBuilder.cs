namespace KernelZones.Migration.Configuration;

/// <summary>
/// Mutable editor for a <see cref="ZoneConfiguration"/>, in the spirit of an interactive zonecfg session:
/// every value is validated when set, and <see cref="Build()"/> checks the configuration as a whole.
/// Not thread-safe.
/// </summary>
public sealed class ZoneConfigurationBuilder
{
    /// <summary>The global root pool assumed for <c>%{global-rootzpool}</c> unless set: <c>rpool</c>.</summary>
    public const string DefaultGlobalRootZpool = "rpool";

    private readonly ResourceBuilder _globals = ResourceBuilder.ForGlobals();
    private readonly List<ZoneResource> _resources = [];
    private readonly List<SourceLine> _resourceLines = [];
    private string _zoneName;

    /// <summary>Starts a configuration for a <c>solaris-kz</c> zone (brand set; nothing else).</summary>
    /// <param name="zoneName">The zone name (validated by <see cref="Build()"/>).</param>
    public ZoneConfigurationBuilder(string zoneName)
        : this(zoneName, setKernelZoneBrand: true)
    {
    }

    internal ZoneConfigurationBuilder(string zoneName, bool setKernelZoneBrand)
    {
        ArgumentNullException.ThrowIfNull(zoneName);
        _zoneName = zoneName;
        if (setKernelZoneBrand)
        {
            _globals.Set(ZoneSchema.Brand, ZoneSchema.KernelZoneBrand, SourceLine.None);
        }
    }

    /// <summary>The zone name; template values re-expand with it.</summary>
    public string ZoneName
    {
        get => _zoneName;
        set => _zoneName = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The global zone's root pool used to expand <c>%{global-rootzpool}</c>; default <c>rpool</c>. Not exported.</summary>
    public string GlobalRootZpool { get; set; } = DefaultGlobalRootZpool;

    /// <summary>The resources added so far, in order.</summary>
    public IReadOnlyList<ZoneResource> Resources => _resources;

    /// <summary>Sets a global property (validated); <see langword="null"/> or empty clears it. <c>zonename</c> renames the zone.</summary>
    /// <exception cref="ZoneConfigurationException">The name or value is invalid.</exception>
    public ZoneConfigurationBuilder SetProperty(string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        SetProperty(name, value, SourceLine.None);
        return this;
    }

    /// <summary>Adds a resource at the end.</summary>
    public ZoneConfigurationBuilder AddResource(ZoneResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        AddResource(resource, SourceLine.None);
        return this;
    }

    /// <summary>Adds a resource built from <c>name</c>, <c>value</c> tuples.</summary>
    /// <exception cref="ZoneConfigurationException">A name or value is invalid.</exception>
    public ZoneConfigurationBuilder AddResource(string type, params (string Name, string Value)[] properties)
        => AddResource(ZoneResource.Create(type, properties));

    /// <summary>Removes every resource matching <paramref name="match"/>; returns how many were removed.</summary>
    public int RemoveResources(Predicate<ZoneResource> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        int removed = 0;
        for (int i = _resources.Count - 1; i >= 0; i--)
        {
            if (match(_resources[i]))
            {
                _resources.RemoveAt(i);
                _resourceLines.RemoveAt(i);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Replaces the first resource equal to <paramref name="existing"/> with <paramref name="replacement"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="existing"/> is not in the builder.</exception>
    public ZoneConfigurationBuilder ReplaceResource(ZoneResource existing, ZoneResource replacement)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        int index = _resources.IndexOf(existing);
        if (index < 0)
        {
            throw new ArgumentException($"resource '{existing}' is not in this configuration", nameof(existing));
        }

        _resources[index] = replacement;
        return this;
    }

    /// <summary>Checks the whole configuration and returns it.</summary>
    /// <exception cref="ZoneConfigurationException">The configuration is invalid (zone name, duplicate resources or ids, storage, memory).</exception>
    public ZoneConfiguration Build() => Build(SourceLine.None);

    internal void SetProperty(string name, string? value, SourceLine line)
    {
        if (name == ZoneSchema.ZoneName)
        {
            _zoneName = string.IsNullOrEmpty(value) ? throw line.Error("zonename cannot be cleared", "a zone name") : value;
        }
        else if (string.IsNullOrEmpty(value))
        {
            PropertyRules.CheckName(name, "global property", line);
            _globals.Remove(name);
        }
        else
        {
            _globals.Set(name, value, line);
        }
    }

    internal void AddResource(ZoneResource resource, SourceLine line)
    {
        if (_resources.Count == ZoneConfiguration.MaxResources)
        {
            throw line.Error($"more than {ZoneConfiguration.MaxResources} resources", $"at most {ZoneConfiguration.MaxResources} resources");
        }

        _resources.Add(resource);
        _resourceLines.Add(line);
    }

    internal void AddGlobal(ZoneProperty property) => _globals.Add(property);

    internal ZoneConfiguration Build(SourceLine endLine)
    {
        ZoneResource globals = _globals.Build();
        ConfigurationRules.Validate(_zoneName, GlobalRootZpool, _resources, _resourceLines, endLine);
        return new ZoneConfiguration(_zoneName, globals.Properties, [.. _resources], GlobalRootZpool);
    }
}
