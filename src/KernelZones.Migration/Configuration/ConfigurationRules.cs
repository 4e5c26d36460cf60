
namespace KernelZones.Migration.Configuration;

/// <summary>Checks that apply to the configuration as a whole (zonecfg <c>verify</c>).</summary>
internal static class ConfigurationRules
{
    private const int MaxZoneNameLength = 64;

    public static void Validate(string zoneName, string rootZpool, List<ZoneResource> resources, List<SourceLine> lines, SourceLine endLine)
    {
        CheckZoneName(zoneName, endLine);
        CheckRootZpool(rootZpool, endLine);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ids = new HashSet<(string, int)>();
        for (int i = 0; i < resources.Count; i++)
        {
            ZoneResource resource = resources[i];
            SourceLine line = lines[i];
            if (!seen.Add(resource.Type) && !ZoneSchema.AllowsMultiple(resource.Type))
            {
                throw line.Error($"a second '{resource.Type}' resource", $"at most one '{resource.Type}' resource");
            }

            if (resource.Id is int id && !ids.Add((resource.Type, id)))
            {
                throw line.Error($"a second '{resource.Type}' resource with id {id}", $"a unique id for each '{resource.Type}' resource");
            }

            CheckResource(zoneName, rootZpool, resource, line);
        }
    }

    public static void CheckZoneName(string zoneName, SourceLine line)
    {
        bool valid = zoneName.Length is > 0 and <= MaxZoneNameLength && char.IsAsciiLetterOrDigit(zoneName[0]) && zoneName != "global";
        foreach (char c in zoneName)
        {
            valid &= char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
        }

        if (!valid)
        {
            throw line.Error($"invalid zone name '{PropertyRules.Shorten(zoneName)}'",
                "1-64 letters, digits, '-', '_' or '.', starting with a letter or digit, and not 'global'");
        }
    }

    private static void CheckRootZpool(string pool, SourceLine line)
    {
        bool valid = pool.Length is > 0 and <= 255 && char.IsAsciiLetter(pool[0]);
        foreach (char c in pool)
        {
            valid &= char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':';
        }

        if (!valid)
        {
            throw line.Error($"invalid global root pool name '{PropertyRules.Shorten(pool)}'", "a ZFS pool name such as rpool");
        }
    }

    private static void CheckResource(string zoneName, string rootZpool, ZoneResource resource, SourceLine line)
    {
        ResourceSpec? spec = ZoneSchema.FindResource(resource.Type);
        foreach (ZoneProperty property in resource.Properties)
        {
            PropertySpec? propertySpec = spec?.Find(property.Name);
            if (propertySpec is null || !property.IsTemplate || propertySpec.Tokens == TemplateTokens.None)
            {
                continue;
            }

            if (resource.Id is null && PropertyTemplate.Uses(property.Value, TemplateTokens.Id))
            {
                throw line.Error($"{resource.Type} {property.Name} uses %{{id}} but the resource has no id", "an id property on the resource");
            }

            if (propertySpec.Kind == PropertyKind.StorageUri)
            {
                string expanded = PropertyTemplate.Expand(property.Value, zoneName, resource.Id, rootZpool);
                _ = Storage.StorageUri.TryParse(expanded, out _) ? null : PropertyRules.NormalizeStorage($"{resource} {property.Name} (expanded to '{PropertyRules.Shorten(expanded)}')", expanded, line);
            }
        }

        if (resource.Type == "capped-memory")
        {
            CheckPageSize(resource, line);
        }
    }

    private static void CheckPageSize(ZoneResource resource, SourceLine line)
    {
        bool isFixed = resource.GetValue("pagesize-policy") == "fixed";
        if (isFixed != resource.Has("pagesize"))
        {
            throw line.Error(isFixed ? "pagesize-policy=fixed without pagesize" : "pagesize without pagesize-policy=fixed",
                "pagesize set exactly when pagesize-policy is fixed");
        }
    }
}
