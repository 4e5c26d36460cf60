using System.Globalization;
using System.Text;

namespace KernelZones.Migration.Configuration;

/// <summary>
/// Writes <c>zonecfg info</c> output as Solaris 11.3 prints it for a kernel zone: every global property a kernel zone
/// has (unset ones as <c>name: </c>), then each resource as a <c>type:</c> heading with one tab-indented line per
/// property it has (unset ones as <c>name not specified</c> or Solaris's default), in <see cref="ZoneSchema"/>'s
/// order; properties the schema does not know follow in the order they were set.
/// </summary>
/// <remarks>
/// The line forms are those of illumos zonecfg.c: a global is <c>"%s: %s\n"</c>, so an empty one keeps the space
/// after the colon; output_prop writes <c>"\t%s: %s\n"</c> with the value in double quotes when it contains a space
/// (quoteit), brackets capped-memory's swap and locked (<c>[swap: 2G]</c>) and writes <c>"\t%s not specified\n"</c>. Solaris
/// adds <c>name.template:</c> before the expanded value of a template and prints a key as <c>raw redacted</c>.
/// Resources are printed in the order the configuration holds them, which is Solaris's own order for a
/// configuration read from Solaris's text.
/// </remarks>
internal static class InfoWriter
{
    public static string Write(ZoneConfiguration configuration, bool labelResourceIds)
    {
        var text = new StringBuilder(512 + (configuration.Resources.Length * 512));
        foreach (PropertySpec spec in ZoneSchema.Globals.Properties)
        {
            AppendGlobal(text, configuration, spec.Name, spec.IsShownWhenUnset);
        }

        foreach (ZoneProperty property in configuration.GlobalProperties)
        {
            if (ZoneSchema.Globals.Find(property.Name) is null)
            {
                AppendGlobal(text, configuration, property.Name, shownWhenUnset: false);
            }
        }

        foreach (ZoneResource resource in configuration.Resources)
        {
            AppendResource(text, configuration, resource, labelResourceIds);
        }

        return text.ToString();
    }

    /// <summary>
    /// <c>info &lt;global-property&gt;</c> (its line even when unset) or <c>info &lt;resource-type&gt;</c> (every resource of
    /// that type; nothing when there is none); <see langword="null"/> when the name is neither.
    /// </summary>
    public static string? Write(ZoneConfiguration configuration, string scope, bool labelResourceIds)
    {
        var text = new StringBuilder(512);
        if (ZoneSchema.Globals.Find(scope) is not null || configuration.GetProperty(scope) is not null)
        {
            AppendGlobal(text, configuration, scope, shownWhenUnset: true);
            return text.ToString();
        }

        if (ZoneSchema.FindResource(scope) is null && !configuration.GetResources(scope).Any())
        {
            return null;
        }

        foreach (ZoneResource resource in configuration.GetResources(scope))
        {
            AppendResource(text, configuration, resource, labelResourceIds);
        }

        return text.ToString();
    }

    private static void AppendGlobal(StringBuilder text, ZoneConfiguration configuration, string name, bool shownWhenUnset)
    {
        string? value = configuration.GetProperty(name);
        PropertySpec? spec = ZoneSchema.Globals.Find(name);
        if (value is null)
        {
            if (shownWhenUnset)
            {
                text.Append(name).Append(": ").Append(spec?.Default).Append('\n');
            }

            return;
        }

        if (spec is { Tokens: not TemplateTokens.None } && value.Contains('%', StringComparison.Ordinal))
        {
            text.Append(name).Append(".template: ").Append(value).Append('\n');
            value = PropertyTemplate.Expand(value, configuration.ZoneName, null, configuration.GlobalRootZpool);
        }

        text.Append(name).Append(": ").Append(value).Append('\n');
    }

    private static void AppendResource(StringBuilder text, ZoneConfiguration configuration, ZoneResource resource, bool labelResourceIds)
    {
        text.Append(resource.Type);
        if (labelResourceIds && resource.Id is int id)
        {
            text.Append(' ').Append(id.ToString(CultureInfo.InvariantCulture));
        }

        text.Append(":\n");
        ResourceSpec? spec = ZoneSchema.FindResource(resource.Type);
        foreach (PropertySpec propertySpec in spec?.Properties ?? [])
        {
            if (resource.Find(propertySpec.Name) is ZoneProperty property)
            {
                AppendProperty(text, configuration, resource, property, propertySpec);
            }
            else if (propertySpec.Default is string value)
            {
                text.Append('\t').Append(propertySpec.Name).Append(": ").Append(value).Append('\n');
            }
            else if (propertySpec.ShownWhenUnset)
            {
                text.Append('\t').Append(propertySpec.Name).Append(" not specified\n");
            }
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

        string value = property.Value;
        if (spec is { Tokens: not TemplateTokens.None } && property.IsTemplate)
        {
            AppendLine(text, property.Name + ".template", value, bracketed: false);
            value = configuration.GetExpandedValue(resource, property.Name)!;
        }

        AppendLine(text, property.Name, value, bracketed: resource.Type == "capped-memory" && property.Name is "swap" or "locked");
    }

    private static void AppendLine(StringBuilder text, string name, string value, bool bracketed)
    {
        text.Append(bracketed ? "\t[" : "\t").Append(name).Append(": ");
        if (value.Contains(' ', StringComparison.Ordinal))
        {
            text.Append('"').Append(value).Append('"');
        }
        else
        {
            text.Append(value);
        }

        text.Append(bracketed ? "]\n" : "\n");
    }
}
