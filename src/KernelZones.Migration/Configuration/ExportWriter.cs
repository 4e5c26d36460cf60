using System.Buffers;
using System.Text;

namespace KernelZones.Migration.Configuration;

/// <summary>Writes a configuration as a zonecfg command file, byte-identical for equal configurations.</summary>
internal static class ExportWriter
{
    private static readonly SearchValues<char> s_needsQuotes = SearchValues.Create(" \t\"\\;#()[]");

    public static string Write(ZoneConfiguration configuration)
    {
        var text = new StringBuilder(64 + (configuration.Resources.Length * 96));
        text.Append("create -b\n");
        foreach (ZoneProperty property in configuration.GlobalProperties)
        {
            AppendSet(text, "global", property);
        }

        foreach (ZoneResource resource in configuration.Resources)
        {
            text.Append("add ").Append(resource.Type).Append('\n');
            foreach (ZoneProperty property in resource.Properties)
            {
                AppendSet(text, resource.Type, property);
            }

            text.Append("end\n");
        }

        return text.ToString();
    }

    private static void AppendSet(StringBuilder text, string owner, ZoneProperty property)
    {
        if (property.IsRedacted)
        {
            throw new InvalidOperationException($"{owner} {property.Name} was read as redacted from info output; the configuration cannot be exported without the key");
        }

        text.Append("set ").Append(property.Name).Append('=');
        if (property.Value.AsSpan().IndexOfAny(s_needsQuotes) < 0)
        {
            text.Append(property.Value).Append('\n');
            return;
        }

        text.Append('"');
        foreach (char c in property.Value)
        {
            text.Append(c is '"' or '\\' ? "\\" : string.Empty).Append(c);
        }

        text.Append("\"\n");
    }
}
