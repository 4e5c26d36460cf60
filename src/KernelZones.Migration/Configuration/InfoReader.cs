using System.Globalization;

namespace KernelZones.Migration.Configuration;

/// <summary>
/// Reads <c>zonecfg info</c> output, plain or interactive (<c>anet 0:</c> headers). Blank lines are ignored;
/// <c>X not specified</c>, <c>X: </c> and a default Solaris shows for an unset property (<c>autoboot: false</c>,
/// <c>iov: off</c>, ...) mean unset; <c>X.template:</c> gives the value and the expanded line after it is skipped;
/// a resource value in double quotes (Solaris quotes one that contains a space) and <c>[swap: 2G]</c> lose their
/// quotes and brackets.
/// </summary>
internal static class InfoReader
{
    private const string Template = ".template";

    public static ZoneConfiguration Read(TextReader text)
    {
        List<SourceLine> lines = ReadLines(text);
        ZoneConfigurationBuilder? builder = null;
        var pending = new List<(ZoneProperty Property, SourceLine Line)>();
        string? zoneName = null;
        ResourceBuilder? resource = null;
        (int? Id, SourceLine Line) header = default;
        string? templated = null;
        for (int i = 0; i < lines.Count; i++)
        {
            SourceLine line = lines[i];
            string raw = line.Text!;
            if (char.IsWhiteSpace(raw[0]))
            {
                templated = ReadResourceLine(resource ?? throw line.Error("indented line outside a resource", "a resource header such as 'device:' first"), raw.Trim(), templated, line);
                continue;
            }

            Close(builder, ref resource, header);
            (string name, string? value, bool isHeader) = SplitTopLevel(raw.TrimEnd(), line, builder is not null || (i + 1 < lines.Count && char.IsWhiteSpace(lines[i + 1].Text![0])));
            if (isHeader)
            {
                templated = null;
                builder ??= Start(zoneName, pending, line);
                resource = new ResourceBuilder(name, line);
                header = (value is null ? null : int.Parse(value, CultureInfo.InvariantCulture), line);
            }
            else if (name == ZoneSchema.ZoneName)
            {
                templated = null;
                zoneName = builder is null && zoneName is null ? value : throw line.Error("a second or late 'zonename:' line", "one 'zonename:' line before the resources");
            }
            else if (builder is not null)
            {
                throw line.Error($"global property '{name}' after the resources", "the global properties before the first resource");
            }
            else
            {
                templated = ReadGlobalLine(pending, name, value, templated, line);
            }
        }

        ZoneConfigurationBuilder result = builder ??= Start(zoneName, pending, lines.Count > 0 ? lines[^1] : new SourceLine(1, string.Empty));
        Close(builder, ref resource, header);
        return result.Build(lines.Count > 0 ? lines[^1] : default);
    }

    private static List<SourceLine> ReadLines(TextReader text)
    {
        var reader = new BoundedLineReader(text);
        var lines = new List<SourceLine>();
        for (string? raw = reader.ReadLine(); raw is not null; raw = reader.ReadLine())
        {
            if (!string.IsNullOrWhiteSpace(raw))
            {
                lines.Add(new SourceLine(reader.LineNumber, raw));
            }
        }

        return lines;
    }

    private static ZoneConfigurationBuilder Start(string? zoneName, List<(ZoneProperty Property, SourceLine Line)> globals, SourceLine line)
    {
        var builder = new ZoneConfigurationBuilder(zoneName ?? throw line.Error("no 'zonename:' line", "'zonename: <name>' as the first line"), setKernelZoneBrand: false);
        foreach ((ZoneProperty property, SourceLine propertyLine) in globals)
        {
            builder.SetProperty(property.Name, property.Value, propertyLine);
        }

        return builder;
    }

    private static void Close(ZoneConfigurationBuilder? builder, ref ResourceBuilder? resource, (int? Id, SourceLine Line) header)
    {
        if (resource is null || builder is null)
        {
            return;
        }

        if (header.Id is int id)
        {
            string? written = resource.Build().GetValue(ZoneSchema.IdProperty);
            if (written is null)
            {
                resource.Set(ZoneSchema.IdProperty, id.ToString(CultureInfo.InvariantCulture), header.Line);
            }
            else if (written != id.ToString(CultureInfo.InvariantCulture))
            {
                throw header.Line.Error($"header id {id} differs from 'id: {written}'", "the same id in the header and the id line");
            }
        }

        builder.AddResource(resource.Build(), header.Line);
        resource = null;
    }

    /// <summary>
    /// Splits a line at column 0: <c>name: value</c>, <c>name not specified</c>, <c>type:</c> or <c>type N:</c>. An empty
    /// <c>name:</c> is a resource header when the schema knows the type or <paramref name="emptyIsHeader"/> (indented
    /// lines follow, or resources began), otherwise an unset global such as <c>bootargs: </c>.
    /// </summary>
    private static (string Name, string? Value, bool IsHeader) SplitTopLevel(string text, SourceLine line, bool emptyIsHeader)
    {
        if (text.EndsWith(" not specified", StringComparison.Ordinal))
        {
            string unset = text[..^" not specified".Length];
            PropertyRules.CheckName(unset, "global property", line);
            return (unset, null, false);
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || (colon + 1 < text.Length && text[colon + 1] != ' '))
        {
            throw line.Error("unrecognised line", "'name: value', 'name not specified' or a resource header such as 'device:' or 'device 0:'");
        }

        string name = text[..colon];
        string value = text[(colon + 1)..].Trim();
        int space = name.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && value.Length == 0)
        {
            string id = name[(space + 1)..];
            return id.Length is > 0 and <= 9 && id.All(char.IsAsciiDigit) ? (name[..space], id, true)
                : throw line.Error($"invalid resource header '{PropertyRules.Shorten(text)}'", "'type:' or 'type <id>:'");
        }

        PropertyRules.CheckName(name.EndsWith(Template, StringComparison.Ordinal) ? name[..^Template.Length] : name, "global property or resource", line);
        bool isHeader = value.Length == 0 && (emptyIsHeader || ZoneSchema.FindResource(name) is not null);
        return (name, value.Length == 0 ? null : value, isHeader);
    }

    /// <summary>Reads one global <c>name: value</c> line; returns the name of a template just read, whose expanded line follows.</summary>
    private static string? ReadGlobalLine(List<(ZoneProperty Property, SourceLine Line)> pending, string name, string? value, string? templated, SourceLine line)
    {
        if (name.EndsWith(Template, StringComparison.Ordinal))
        {
            name = name[..^Template.Length];
            pending.Add((new ZoneProperty(name, value ?? throw line.Error($"empty '{name}{Template}'", "a template value"), false), line));
            return name;
        }

        if (name != templated && value is not null && value != ZoneSchema.Globals.Find(name)?.Default)
        {
            pending.Add((new ZoneProperty(name, value, false), line));
        }

        return null;
    }

    /// <summary>Reads one indented property line; returns the name of a template just read, whose expanded line follows.</summary>
    private static string? ReadResourceLine(ResourceBuilder resource, string text, string? templated, SourceLine line)
    {
        if (text.EndsWith(" redacted", StringComparison.Ordinal) && !text.Contains(':', StringComparison.Ordinal))
        {
            resource.SetRedacted(text[..^" redacted".Length], line);
            return null;
        }

        if (text.EndsWith(" not specified", StringComparison.Ordinal) && !text.Contains(':', StringComparison.Ordinal))
        {
            PropertyRules.CheckName(text[..^" not specified".Length], $"{resource.Type} property", line);
            return null;
        }

        if (text.Length > 2 && text[0] == '[' && text[^1] == ']')
        {
            text = text[1..^1];
        }

        int colon = text.IndexOf(": ", StringComparison.Ordinal);
        string name = colon < 0 ? text.TrimEnd(':') : text[..colon];
        string value = Unquote(colon < 0 ? string.Empty : text[(colon + 2)..].Trim());
        if (colon < 0 && !text.EndsWith(':'))
        {
            throw line.Error("unrecognised property line", "'name: value', 'name not specified' or 'name redacted'");
        }

        if (name.EndsWith(Template, StringComparison.Ordinal))
        {
            name = name[..^Template.Length];
            resource.Set(name, value, line);
            return name;
        }

        if (name == templated)
        {
            PropertyRules.CheckName(name, $"{resource.Type} property", line);
            return null;
        }

        if (value.Length > 0 && value != ZoneSchema.FindResource(resource.Type)?.Find(name)?.Default)
        {
            resource.Set(name, value, line);
        }
        else
        {
            PropertyRules.CheckName(name, $"{resource.Type} property", line);
        }

        return null;
    }

    /// <summary>Removes the double quotes Solaris puts around a value that contains a space.</summary>
    private static string Unquote(string value)
        => value.Length > 2 && value[0] == '"' && value[^1] == '"' && value.Contains(' ', StringComparison.Ordinal) ? value[1..^1] : value;
}
