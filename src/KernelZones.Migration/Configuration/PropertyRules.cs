using KernelZones.Migration.Storage;

namespace KernelZones.Migration.Configuration;

/// <summary>Validates one property value against its kind and returns the canonical text.</summary>
internal static class PropertyRules
{
    public const int MaxNameLength = 64;
    public const int MaxValueLength = 4096;

    public static void CheckName(string name, string what, SourceLine line)
    {
        bool valid = name.Length is > 0 and <= MaxNameLength && char.IsAsciiLetterLower(name[0]);
        foreach (char c in name)
        {
            valid &= char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-';
        }

        if (!valid)
        {
            throw line.Error($"invalid {what} name '{Shorten(name)}'", $"a lower-case name of letters, digits and '-', at most {MaxNameLength} characters");
        }
    }

    /// <summary>Checks <paramref name="value"/> for the property and returns its canonical text.</summary>
    public static string Normalize(string owner, PropertySpec? spec, string name, string value, SourceLine line)
    {
        CheckText(owner, name, value, line);
        if (spec is null)
        {
            return value;
        }

        if (spec.Tokens != TemplateTokens.None && value.Contains('%', StringComparison.Ordinal))
        {
            string? problem = PropertyTemplate.FindProblem(value, spec.Tokens);
            return problem is null ? value : throw line.Error($"{owner} {name}: {problem}", PropertyTemplate.Expected);
        }

        return NormalizeKind(owner, spec, value, line);
    }

    private static string NormalizeKind(string owner, PropertySpec spec, string value, SourceLine line)
    {
        switch (spec.Kind)
        {
            case PropertyKind.Boolean:
                return value.Equals("true", StringComparison.OrdinalIgnoreCase) ? "true"
                    : value.Equals("false", StringComparison.OrdinalIgnoreCase) ? "false"
                    : throw line.Error($"invalid boolean '{Shorten(value)}' for {owner} {spec.Name}", "true or false");
            case PropertyKind.MemorySize:
                return MemorySize.TryParse(value, out MemorySize size) && size.Bytes > 0 ? size.ToString()
                    : throw line.Error($"invalid memory size '{Shorten(value)}' for {owner} {spec.Name}", "a positive whole number of bytes such as 4G, 512M, 2048M or 1.5T");
            case PropertyKind.HostId:
                return HostId.TryParse(value, out HostId hostId) ? hostId.ToString()
                    : throw line.Error($"invalid hostid '{Shorten(value)}'", "1 to 8 hex digits such as 0x2e7d2173");
            case PropertyKind.CpuCount:
                return CpuCount.TryParse(value, out CpuCount count) ? count.ToString()
                    : throw line.Error($"invalid CPU count '{Shorten(value)}' for {owner} {spec.Name}", $"a number from 1 to {CpuCount.MaxValue}");
            case PropertyKind.CpuRange:
                return CpuRange.TryParse(value, out CpuRange range) ? range.ToString()
                    : throw line.Error($"invalid CPU count or range '{Shorten(value)}' for {owner} {spec.Name}", "a count such as 4 or a range such as 2-4");
            case PropertyKind.Integer:
                return value.Length <= 9 && CharSets.AllDigits(value) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : throw line.Error($"invalid number '{Shorten(value)}' for {owner} {spec.Name}", "a non-negative whole number of at most 9 digits");
            case PropertyKind.AutoShutdown:
            case PropertyKind.BootPriority:
            case PropertyKind.PageSizePolicy:
                return ZoneEnumText.IsValid(spec.Kind, value) ? value
                    : throw line.Error($"invalid value '{Shorten(value)}' for {owner} {spec.Name}", ZoneEnumText.Describe(spec.Kind));
            case PropertyKind.StorageUri:
                return NormalizeStorage(owner + " " + spec.Name, value, line);
            case PropertyKind.Secret:
                return CharSets.AllHexDigits(value) ? value
                    : throw line.Error($"invalid key for {owner} {spec.Name}", "hex digits");
            default:
                return value;
        }
    }

    public static string NormalizeStorage(string where, string value, SourceLine line)
    {
        try
        {
            return StorageUri.Parse(value).ToString();
        }
        catch (StorageUriFormatException e)
        {
            throw line.Error($"{where}: {e.Message}", "a storage URI (dev:, lu:, iscsi://, nfs://user:group@host/path, file:///path)", e);
        }
    }

    private static void CheckText(string owner, string name, string value, SourceLine line)
    {
        if (value.Length > MaxValueLength)
        {
            throw line.Error($"value of {owner} {name} is {value.Length} characters long", $"at most {MaxValueLength} characters");
        }

        foreach (char c in value)
        {
            if (char.IsControl(c))
            {
                throw line.Error($"value of {owner} {name} contains a control character", "printable characters only");
            }
        }

        if (value.Length == 0 || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            throw line.Error($"value of {owner} {name} is empty or starts or ends with a space", "a non-empty value without leading or trailing spaces");
        }
    }

    public static string Shorten(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "...");
}
