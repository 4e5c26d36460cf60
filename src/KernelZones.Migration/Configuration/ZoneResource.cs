using System.Collections.Immutable;
using System.Globalization;

namespace KernelZones.Migration.Configuration;

/// <summary>
/// One resource of a zone configuration (<c>add anet</c> … <c>end</c>): its type and its properties in the
/// order they were set. Values are validated and canonical; properties the model does not know are kept.
/// Immutable and thread-safe; two resources are equal when their types and property sets are equal
/// (property order does not matter).
/// </summary>
public sealed class ZoneResource : IEquatable<ZoneResource>
{
    /// <summary>The most properties one resource may have.</summary>
    public const int MaxProperties = 256;

    private ZoneResource(string type, ImmutableArray<ZoneProperty> properties)
    {
        Type = type;
        Properties = properties;
        string? id = Find("id")?.Value;
        Id = id is null ? null : int.Parse(id, CultureInfo.InvariantCulture);
    }

    /// <summary>The resource type, e.g. <c>anet</c>, <c>device</c>, <c>capped-memory</c>.</summary>
    public string Type { get; }

    /// <summary>The properties in the order they were set.</summary>
    internal ImmutableArray<ZoneProperty> Properties { get; }

    /// <summary>The <c>id</c> property, or <see langword="null"/> when unset.</summary>
    public int? Id { get; }

    /// <summary>Creates a resource, validating every value and making it canonical.</summary>
    /// <param name="type">The resource type.</param>
    /// <param name="properties">Name/value pairs; a later pair with the same name replaces the earlier value.</param>
    /// <exception cref="ZoneConfigurationException">A name or value is invalid.</exception>
    public static ZoneResource Create(string type, IEnumerable<KeyValuePair<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(properties);
        var builder = new ResourceBuilder(type, SourceLine.None);
        foreach (KeyValuePair<string, string> pair in properties)
        {
            builder.Set(pair.Key, pair.Value, SourceLine.None);
        }

        return builder.Build();
    }

    /// <summary>Creates a resource from <c>name</c>, <c>value</c> tuples.</summary>
    /// <exception cref="ZoneConfigurationException">A name or value is invalid.</exception>
    public static ZoneResource Create(string type, params (string Name, string Value)[] properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return Create(type, properties.Select(p => KeyValuePair.Create(p.Name, p.Value)));
    }

    /// <summary>The canonical value of a property (a template keeps its tokens), or <see langword="null"/> when unset or redacted.</summary>
    public string? GetValue(string name)
    {
        ZoneProperty? property = Find(name);
        return property is { IsRedacted: false } p ? p.Value : null;
    }

    /// <summary>Whether the property is set (a redacted value counts as set).</summary>
    public bool Has(string name) => Find(name) is not null;

    /// <summary>Returns a copy with the property set (validated); a <see langword="null"/> value removes it.</summary>
    /// <exception cref="ZoneConfigurationException">The name or value is invalid.</exception>
    public ZoneResource With(string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new ResourceBuilder(Type, SourceLine.None);
        foreach (ZoneProperty property in Properties)
        {
            builder.Add(property);
        }

        if (value is null)
        {
            builder.Remove(name);
        }
        else
        {
            builder.Set(name, value, SourceLine.None);
        }

        return builder.Build();
    }

    /// <inheritdoc/>
    public bool Equals(ZoneResource? other)
    {
        if (other is null || other.Type != Type || other.Properties.Length != Properties.Length)
        {
            return false;
        }

        foreach (ZoneProperty property in Properties)
        {
            if (other.Find(property.Name) != property)
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ZoneResource other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, Properties.Length, Id);

    /// <summary>The type and id, e.g. <c>device 0</c>.</summary>
    public override string ToString() => Id is null ? Type : $"{Type} {Id.Value.ToString(CultureInfo.InvariantCulture)}";

    internal ZoneProperty? Find(string name)
    {
        foreach (ZoneProperty property in Properties)
        {
            if (property.Name == name)
            {
                return property;
            }
        }

        return null;
    }

    internal static ZoneResource FromValidated(string type, ImmutableArray<ZoneProperty> properties) => new(type, properties);
}
