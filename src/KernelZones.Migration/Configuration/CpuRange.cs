namespace KernelZones.Migration.Configuration;

/// <summary>A CPU count or range as <c>dedicated-cpu ncpus</c> takes it: <c>4</c> or <c>2-4</c>.</summary>
internal readonly record struct CpuRange
{
    /// <summary>Creates a range; <paramref name="minimum"/> must not exceed <paramref name="maximum"/>.</summary>
    public CpuRange(CpuCount minimum, CpuCount maximum)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minimum.Value, maximum.Value, nameof(minimum));
        Minimum = minimum;
        Maximum = maximum;
    }

    /// <summary>The smallest number of CPUs.</summary>
    public CpuCount Minimum { get; }

    /// <summary>The largest number of CPUs (equal to <see cref="Minimum"/> for a single count).</summary>
    public CpuCount Maximum { get; }

    /// <summary>Parses <c>4</c> or <c>2-4</c>.</summary>
    /// <exception cref="FormatException">The text is not a count or an ascending range.</exception>
    public static CpuRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out CpuRange range) ? range : throw new FormatException($"'{text}' is not a CPU count or range such as 4 or 2-4");
    }

    /// <summary>Parses a count or range without throwing.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out CpuRange range)
    {
        range = default;
        int dash = text.IndexOf('-');
        ReadOnlySpan<char> low = dash < 0 ? text : text[..dash];
        ReadOnlySpan<char> high = dash < 0 ? text : text[(dash + 1)..];
        if (!CpuCount.TryParse(low, out CpuCount minimum) || !CpuCount.TryParse(high, out CpuCount maximum) || minimum.Value > maximum.Value)
        {
            return false;
        }

        range = new CpuRange(minimum, maximum);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => Minimum == Maximum ? Minimum.ToString() : $"{Minimum}-{Maximum}";
}
