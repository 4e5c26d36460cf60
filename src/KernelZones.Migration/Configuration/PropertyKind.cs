namespace KernelZones.Migration.Configuration;

/// <summary>The type of value a zonecfg property holds; decides validation and the canonical text.</summary>
internal enum PropertyKind
{
    Text,
    Boolean,
    MemorySize,
    HostId,
    CpuCount,
    CpuRange,
    Integer,
    AutoShutdown,
    BootPriority,
    PageSizePolicy,
    StorageUri,
    Secret,
}

/// <summary>The <c>%{...}</c> tokens a template-capable property may use.</summary>
[Flags]
internal enum TemplateTokens
{
    None = 0,
    ZoneName = 1,
    Id = 2,
    GlobalRootZpool = 4,
}

/// <summary>
/// What the model knows about one property: its kind, its template tokens, whether <c>info</c> shows it when unset
/// and the value Solaris shows then (<see cref="Default"/>; without one, <c>name not specified</c> in a resource and
/// <c>name: </c> at global scope).
/// </summary>
internal sealed record PropertySpec(string Name, PropertyKind Kind, TemplateTokens Tokens = TemplateTokens.None, bool ShownWhenUnset = false, string? Default = null)
{
    public bool IsShownWhenUnset => ShownWhenUnset || Default is not null;
}

/// <summary>What the model knows about one resource type.</summary>
internal sealed record ResourceSpec(string Type, bool AllowsMultiple, PropertySpec[] Properties)
{
    public PropertySpec? Find(string name)
    {
        int index = OrderOf(name);
        return index == int.MaxValue ? null : Properties[index];
    }

    public int OrderOf(string name)
    {
        for (int i = 0; i < Properties.Length; i++)
        {
            if (Properties[i].Name == name)
            {
                return i;
            }
        }

        return int.MaxValue;
    }
}
