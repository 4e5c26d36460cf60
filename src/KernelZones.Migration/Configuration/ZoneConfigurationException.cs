namespace KernelZones.Migration.Configuration;

/// <summary>
/// Thrown when zonecfg text or an edit does not make a valid zone configuration. Names the line (for text),
/// the offending text and what was expected. Nothing half-parsed is returned when this is thrown.
/// </summary>
public sealed class ZoneConfigurationException : Exception
{
    private const int MaxQuotedLength = 200;

    /// <summary>Creates the exception.</summary>
    /// <param name="problem">What is wrong, e.g. "invalid memory size '4Q' for capped-memory physical".</param>
    /// <param name="expected">What was expected, e.g. "a size such as 4G, 512M or 1.5T".</param>
    /// <param name="lineNumber">The 1-based line of the text, or 0 when the error is not from text.</param>
    /// <param name="lineText">The offending line, or <see langword="null"/> when not from text.</param>
    /// <param name="innerException">The underlying error, e.g. the <see cref="FormatException"/> that names the part of a storage URI that is wrong.</param>
    public ZoneConfigurationException(string problem, string expected, int lineNumber = 0, string? lineText = null, Exception? innerException = null)
        : base(Compose(problem, expected, lineNumber, lineText), innerException)
    {
        Problem = problem;
        Expected = expected;
        LineNumber = lineNumber;
        LineText = lineText;
    }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }

    /// <summary>What was expected instead.</summary>
    public string Expected { get; }

    /// <summary>The 1-based line number in the parsed text; 0 when the error did not come from text.</summary>
    public int LineNumber { get; }

    /// <summary>The offending line as read, or <see langword="null"/> when the error did not come from text.</summary>
    public string? LineText { get; }

    private static string Compose(string problem, string expected, int lineNumber, string? lineText)
    {
        if (lineNumber <= 0)
        {
            return $"{problem}; expected {expected}.";
        }

        string quoted = lineText is null ? string.Empty
            : lineText.Length <= MaxQuotedLength ? $" in \"{lineText}\""
            : $" in \"{lineText.AsSpan(0, MaxQuotedLength)}...\"";
        return $"On line {lineNumber}{quoted}: {problem}; expected {expected}.";
    }
}
