using System.Globalization;
using KernelZones.Migration.Storage;

namespace KernelZones.Migration.Configuration;

/// <summary>
/// A memory size as zonecfg writes it: a number with an optional <c>K</c>, <c>M</c>, <c>G</c> or <c>T</c>
/// suffix (binary units, case-insensitive; no suffix means bytes), e.g. <c>4G</c>, <c>512M</c>, <c>1.5T</c>.
/// The canonical form uses the largest unit that gives at most two decimals: 2048M prints as <c>2G</c>.
/// </summary>
public readonly struct MemorySize : IEquatable<MemorySize>, IComparable<MemorySize>
{
    private const int MaxIntegerDigits = 19;
    private const int MaxFractionDigits = 6;
    private static readonly long[] s_powersOfTen = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
    private static readonly (char Suffix, long Unit)[] s_units = [('T', 1L << 40), ('G', 1L << 30), ('M', 1L << 20), ('K', 1L << 10)];

    /// <summary>Creates a size of <paramref name="bytes"/> bytes (not negative).</summary>
    public MemorySize(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Bytes = bytes;
    }

    /// <summary>The size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Parses a size such as <c>4G</c>, <c>512M</c>, <c>2048M</c> or <c>1.5T</c>.</summary>
    /// <exception cref="FormatException">The text is not a size or is not a whole number of bytes.</exception>
    public static MemorySize Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out MemorySize size) ? size : throw new FormatException($"'{text}' is not a memory size such as 4G, 512M or 1.5T");
    }

    /// <summary>Parses a size without throwing.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out MemorySize size)
    {
        size = default;
        long unit = 1;
        if (!text.IsEmpty && char.IsAsciiLetter(text[^1]))
        {
            unit = UnitOf(char.ToUpperInvariant(text[^1]));
            text = text[..^1];
        }

        int dot = text.IndexOf('.');
        ReadOnlySpan<char> whole = dot < 0 ? text : text[..dot];
        ReadOnlySpan<char> fraction = dot < 0 ? default : text[(dot + 1)..];
        if (unit == 0 || !CharSets.AllDigits(whole) || whole.Length > MaxIntegerDigits
            || (dot >= 0 && (!CharSets.AllDigits(fraction) || fraction.Length > MaxFractionDigits)))
        {
            return false;
        }

        Int128 scale = s_powersOfTen[fraction.Length];
        Int128 numerator = Int128.Parse(whole, CultureInfo.InvariantCulture) * scale
            + (fraction.IsEmpty ? 0 : Int128.Parse(fraction, CultureInfo.InvariantCulture));
        Int128 scaled = numerator * unit;
        if (scaled % scale != 0 || scaled / scale > long.MaxValue)
        {
            return false;
        }

        size = new MemorySize((long)(scaled / scale));
        return true;
    }

    /// <summary>The canonical text, e.g. <c>4G</c>, <c>1.5T</c>, <c>512M</c>, or plain bytes.</summary>
    public override string ToString()
    {
        foreach ((char suffix, long unit) in s_units)
        {
            Int128 hundredths = (Int128)Bytes * 100;
            if (Bytes >= unit && hundredths % unit == 0)
            {
                long value = (long)(hundredths / unit);
                long fraction = value % 100;
                string whole = (value / 100).ToString(CultureInfo.InvariantCulture);
                return fraction == 0 ? whole + suffix
                    : fraction % 10 == 0 ? $"{whole}.{(fraction / 10).ToString(CultureInfo.InvariantCulture)}{suffix}"
                    : $"{whole}.{fraction.ToString("00", CultureInfo.InvariantCulture)}{suffix}";
            }
        }

        return Bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <inheritdoc/>
    public bool Equals(MemorySize other) => Bytes == other.Bytes;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MemorySize other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Bytes.GetHashCode();

    /// <inheritdoc/>
    public int CompareTo(MemorySize other) => Bytes.CompareTo(other.Bytes);

    /// <summary>Equality by byte count.</summary>
    public static bool operator ==(MemorySize left, MemorySize right) => left.Equals(right);

    /// <summary>Inequality by byte count.</summary>
    public static bool operator !=(MemorySize left, MemorySize right) => !left.Equals(right);

    /// <summary>Ordering by byte count.</summary>
    public static bool operator <(MemorySize left, MemorySize right) => left.Bytes < right.Bytes;

    /// <summary>Ordering by byte count.</summary>
    public static bool operator >(MemorySize left, MemorySize right) => left.Bytes > right.Bytes;

    /// <summary>Ordering by byte count.</summary>
    public static bool operator <=(MemorySize left, MemorySize right) => left.Bytes <= right.Bytes;

    /// <summary>Ordering by byte count.</summary>
    public static bool operator >=(MemorySize left, MemorySize right) => left.Bytes >= right.Bytes;

    private static long UnitOf(char suffix) => suffix switch
    {
        'K' => 1L << 10,
        'M' => 1L << 20,
        'G' => 1L << 30,
        'T' => 1L << 40,
        _ => 0,
    };
}
