using System.Globalization;
using KernelZones.Migration.Storage;

namespace KernelZones.Migration.Configuration;

/// <summary>A number of virtual CPUs (<c>virtual-cpu ncpus</c>), from 1 to <see cref="MaxValue"/>.</summary>
internal readonly record struct CpuCount
{
    /// <summary>The largest count accepted.</summary>
    public const int MaxValue = 65535;

    /// <summary>Creates a count.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not 1 to <see cref="MaxValue"/>.</exception>
    public CpuCount(int value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
        Value = value;
    }

    /// <summary>The number of CPUs.</summary>
    public int Value { get; }

    /// <summary>Parses a decimal count.</summary>
    /// <exception cref="FormatException">The text is not a count from 1 to <see cref="MaxValue"/>.</exception>
    public static CpuCount Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out CpuCount count) ? count : throw new FormatException($"'{text}' is not a CPU count from 1 to {MaxValue}");
    }

    /// <summary>Parses a decimal count without throwing.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out CpuCount count)
    {
        count = default;
        if (text.Length is 0 or > 5 || !CharSets.AllDigits(text))
        {
            return false;
        }

        int value = int.Parse(text, CultureInfo.InvariantCulture);
        if (value is < 1 or > MaxValue)
        {
            return false;
        }

        count = new CpuCount(value);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
