namespace KernelZones.Migration.Storage;

/// <summary>SCSI-3 VPD page 0x83 names (NAA, EUI-64) and iSCSI target names as storage URIs spell them.</summary>
internal static class ScsiNames
{
    private const int MaxIscsiNameLength = 223;

    /// <summary>Reads <c>naa.&lt;hex&gt;</c> or <c>eui.&lt;hex&gt;</c> (an even number of 16 to 32 hex digits: 64-bit to 128-bit names) into lower case.</summary>
    public static bool TryParseDeviceName(ReadOnlySpan<char> text, bool allowEui, out string name)
    {
        name = string.Empty;
        bool naa = text.StartsWith("naa.", StringComparison.OrdinalIgnoreCase);
        bool eui = allowEui && text.StartsWith("eui.", StringComparison.OrdinalIgnoreCase);
        if (!naa && !eui)
        {
            return false;
        }

        ReadOnlySpan<char> hex = text[4..];
        if (hex.Length is < 16 or > 32 || hex.Length % 2 != 0 || !CharSets.AllHexDigits(hex))
        {
            return false;
        }

        name = text.ToString().ToLowerInvariant();
        return true;
    }

    /// <summary>Reads an iSCSI target name: <c>iqn.</c> followed by [a-z0-9.:-], or an EUI-64 name.</summary>
    public static bool TryParseIscsiName(ReadOnlySpan<char> text, out string name)
    {
        name = string.Empty;
        if (text.StartsWith("eui.", StringComparison.OrdinalIgnoreCase))
        {
            return TryParseDeviceName(text, allowEui: true, out name);
        }

        if (!text.StartsWith("iqn.", StringComparison.OrdinalIgnoreCase) || text.Length <= 4 || text.Length > MaxIscsiNameLength)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or ':' or '-'))
            {
                return false;
            }
        }

        name = text.ToString().ToLowerInvariant();
        return true;
    }
}
