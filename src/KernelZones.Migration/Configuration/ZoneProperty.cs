namespace KernelZones.Migration.Configuration;

/// <summary>
/// One <c>name=value</c> property of a zone or a resource. <see cref="Value"/> is the canonical text as
/// <c>export</c> writes it (a template keeps its <c>%{...}</c> tokens). A key read from <c>info</c> output is
/// <see cref="IsRedacted"/> with an empty value. Thread-safe (immutable).
/// </summary>
internal readonly record struct ZoneProperty
{
    internal ZoneProperty(string name, string value, bool isRedacted)
    {
        Name = name;
        Value = value;
        IsRedacted = isRedacted;
    }

    /// <summary>The property name, e.g. <c>physical</c>.</summary>
    public string Name { get; }

    /// <summary>The canonical value; empty when <see cref="IsRedacted"/>.</summary>
    public string Value { get; }

    /// <summary>Whether the value is unknown because it was read as <c>raw redacted</c>.</summary>
    public bool IsRedacted { get; }

    /// <summary>Whether the value contains template tokens (<c>%{zonename}</c>, <c>%{id}</c>, ...).</summary>
    public bool IsTemplate => Value.Contains('%', StringComparison.Ordinal);

    /// <summary><c>name=value</c>; key material is never shown.</summary>
    public override string ToString() => IsRedacted || Name == "raw" ? Name + " redacted" : $"{Name}={Value}";
}
