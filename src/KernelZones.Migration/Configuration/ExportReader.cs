using System.Text;

namespace KernelZones.Migration.Configuration;

/// <summary>Reads a zonecfg command file (<c>zonecfg export</c> output): <c>create -b</c>, <c>set</c>, <c>add</c>, <c>end</c>.</summary>
internal static class ExportReader
{
    private const string Commands = "one of create -b, set name=value, add <resource>, end, commit, verify, exit";

    public static ZoneConfiguration Read(TextReader text, string zoneName)
    {
        var lines = new BoundedLineReader(text);
        var builder = new ZoneConfigurationBuilder(zoneName, setKernelZoneBrand: false);
        ResourceBuilder? resource = null;
        SourceLine resourceLine = default;
        SourceLine last = default;
        bool created = false;
        for (string? raw = lines.ReadLine(); raw is not null; raw = lines.ReadLine())
        {
            ReadOnlySpan<char> content = raw.AsSpan().Trim();
            if (content.IsEmpty || content[0] == '#')
            {
                continue;
            }

            var line = new SourceLine(lines.LineNumber, raw);
            last = line;
            int space = content.IndexOfAny(' ', '\t');
            ReadOnlySpan<char> command = space < 0 ? content : content[..space];
            ReadOnlySpan<char> arguments = space < 0 ? default : content[(space + 1)..].TrimStart();
            if (!created && command is not "create")
            {
                throw line.Error($"'{PropertyRules.Shorten(command.ToString())}' before 'create -b'", "'create -b' as the first command");
            }

            switch (command)
            {
                case "create":
                    created = !created && arguments is "-b" ? true : throw line.Error("unexpected create command", created ? "a single 'create -b' at the start" : "'create -b'");
                    break;
                case "set":
                    (string name, string value) = ReadAssignment(arguments, line);
                    Set(builder, resource, name, value, line);
                    break;
                case "add":
                    resource = resource is null ? new ResourceBuilder(arguments.ToString(), line) : throw line.Error($"'add' inside the '{resource.Type}' resource", "'end' to close it first");
                    resourceLine = line;
                    break;
                case "end":
                    builder.AddResource(resource?.Build() ?? throw line.Error("'end' outside a resource", "'add <resource>' first"), resourceLine);
                    resource = arguments.IsEmpty ? null : throw line.Error("text after 'end'", "'end' alone");
                    break;
                case "commit" or "verify" or "exit":
                    _ = resource is null && arguments.IsEmpty ? 0 : throw line.Error($"'{command}' inside a resource or with arguments", "'end' first");
                    break;
                default:
                    throw line.Error($"unknown command '{PropertyRules.Shorten(command.ToString())}'", Commands);
            }
        }

        return Finish(builder, resource, created, last);
    }

    private static ZoneConfiguration Finish(ZoneConfigurationBuilder builder, ResourceBuilder? resource, bool created, SourceLine last)
    {
        if (!created)
        {
            throw new ZoneConfigurationException("the text has no commands", "'create -b' followed by set/add/end commands", 1, string.Empty);
        }

        if (resource is not null)
        {
            throw last.Error($"the '{resource.Type}' resource is not closed", "'end'");
        }

        return builder.Build(last);
    }

    private static void Set(ZoneConfigurationBuilder builder, ResourceBuilder? resource, string name, string value, SourceLine line)
    {
        if (resource is null)
        {
            builder.SetProperty(name, value, line);
        }
        else if (value.Length == 0)
        {
            PropertyRules.CheckName(name, $"{resource.Type} property", line);
            resource.Remove(name);
        }
        else
        {
            resource.Set(name, value, line);
        }
    }

    /// <summary>Splits <c>name=value</c>; the value may be double-quoted with <c>\"</c> and <c>\\</c> escapes.</summary>
    private static (string Name, string Value) ReadAssignment(ReadOnlySpan<char> text, SourceLine line)
    {
        int equals = text.IndexOf('=');
        if (equals <= 0)
        {
            throw line.Error("'set' without 'name=value'", "set name=value");
        }

        string name = text[..equals].TrimEnd().ToString();
        ReadOnlySpan<char> value = text[(equals + 1)..].TrimStart();
        if (value.IsEmpty || value[0] != '"')
        {
            return value.ContainsAny(" \t\"") ? throw line.Error("unquoted value contains a space or a quote", "the value in double quotes, e.g. set bootargs=\"-k -m verbose\"") : (name, value.ToString());
        }

        var unquoted = new StringBuilder(value.Length);
        for (int i = 1; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '"')
            {
                return value[(i + 1)..].IsWhiteSpace() ? (name, unquoted.ToString()) : throw line.Error("text after the closing quote", "nothing after the quoted value");
            }

            if (c == '\\' && i + 1 < value.Length && value[i + 1] is '"' or '\\')
            {
                c = value[++i];
            }

            unquoted.Append(c);
        }

        throw line.Error("the quoted value has no closing quote", "a closing '\"'");
    }
}
