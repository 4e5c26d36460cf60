using System.Globalization;
using KernelZones.Migration.Storage;

namespace KernelZones.Migration.Configuration;

/// <summary>
/// A zone's emulated hostid: a 32-bit value written in hex, e.g. <c>0x2e7d2173</c> (the <c>0x</c> is optional
/// on input; the canonical form has it and eight lower-case digits).
/// </summary>
internal readonly record struct HostId(uint Value)
{
    /// <summary>Parses <c>0x2e7d2173</c> or <c>2e7d2173</c> (1-8 hex digits).</summary>
    /// <exception cref="FormatException">The text is not a hostid.</exception>
    public static HostId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out HostId id) ? id : throw new FormatException($"'{text}' is not a hostid such as 0x2e7d2173");
    }

    /// <summary>Parses a hostid without throwing.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out HostId id)
    {
        id = default;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        if (text.Length is 0 or > 8 || !CharSets.AllHexDigits(text))
        {
            return false;
        }

        id = new HostId(uint.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>The canonical text, <c>0x</c> and eight lower-case hex digits.</summary>
    public override string ToString() => "0x" + Value.ToString("x8", CultureInfo.InvariantCulture);
}
