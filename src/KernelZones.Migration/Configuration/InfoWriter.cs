using System.Globalization;
using System.Text;

namespace KernelZones.Migration.Configuration;

/// <summary>
/// Writes <c>zonecfg info</c> output: <c>name: value</c> lines, resources as a header line with tab-indented
/// properties, <c>X not specified</c>, <c>X.template:</c> beside the expanded value, <c>raw redacted</c>.
/// </summary>
internal static class InfoWriter
{
    public static string Write(ZoneConfiguration configuration, bool labelResourceIds)
    {
        var text = new StringBuilder(64 + (configuration.Resources.Length * 128));
        text.Append("zonename: ").Append(configuration.ZoneName).Append('\n');
        foreach (ZoneProperty property in Ordered(ZoneSchema.Globals, configuration.GlobalProperties))
        {
            text.Append(property.Name).Append(": ").Append(property.Value).Append('\n');
        }

        foreach (ZoneResource resource in configuration.Resources)
        {
            text.Append(resource.Type);
            if (labelResourceIds && resource.Id is int id)
            {
                text.Append(' ').Append(id.ToString(CultureInfo.InvariantCulture));
            }

            text.Append(":\n");
            AppendProperties(text, configuration, resource);
        }

        return text.ToString();
    }

    private static void AppendProperties(StringBuilder text, ZoneConfiguration configuration, ZoneResource resource)
    {
        ResourceSpec? spec = ZoneSchema.FindResource(resource.Type);
        foreach (PropertySpec propertySpec in spec?.Properties ?? [])
        {
            if (!resource.Has(propertySpec.Name))
            {
                if (propertySpec.ShownWhenUnset)
                {
                    text.Append('\t').Append(propertySpec.Name).Append(" not specified\n");
                }

                continue;
            }

            AppendProperty(text, configuration, resource, resource.Find(propertySpec.Name)!.Value, propertySpec);
        }

        foreach (ZoneProperty property in resource.Properties)
        {
            if (spec?.Find(property.Name) is null)
            {
                AppendProperty(text, configuration, resource, property, null);
            }
        }
    }

    private static void AppendProperty(StringBuilder text, ZoneConfiguration configuration, ZoneResource resource, ZoneProperty property, PropertySpec? spec)
    {
        if (property.IsRedacted || spec?.Kind == PropertyKind.Secret)
        {
            text.Append('\t').Append(property.Name).Append(" redacted\n");
            return;
        }

        if (spec is { Tokens: not TemplateTokens.None } && property.IsTemplate)
        {
            text.Append('\t').Append(property.Name).Append(".template: ").Append(property.Value).Append('\n');
            text.Append('\t').Append(property.Name).Append(": ").Append(configuration.GetExpandedValue(resource, property.Name)).Append('\n');
            return;
        }

        text.Append('\t').Append(property.Name).Append(": ").Append(property.Value).Append('\n');
    }

    private static IEnumerable<ZoneProperty> Ordered(ResourceSpec spec, IEnumerable<ZoneProperty> properties)
        => properties.OrderBy(p => spec.OrderOf(p.Name));
}
