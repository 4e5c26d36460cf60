using System.Buffers;
using System.Globalization;
using System.Text;

namespace KernelZones.Migration.Diagnostics;

/// <summary>
/// Makes text a peer chose safe to write into a log line: C0 and C1 control characters and DEL become <c>\x1b</c>-style
/// escapes, the Unicode line separators and bidirectional controls <c>\u202e</c>-style ones, so a peer can neither
/// colour or rewrite an operator's terminal nor forge log lines; and the text is cut to a bounded length.
/// </summary>
internal static class LogText
{
    /// <summary>The default bound, in characters of the input: more than any legitimate name.</summary>
    public const int DefaultMaxLength = 256;

    /// <summary>The bound for reasons and messages, which quote names and explain.</summary>
    public const int MaxReasonLength = 1024;

    private static readonly SearchValues<char> s_escaped = SearchValues.Create(
    [
        .. Enumerable.Range(0, 0x20).Select(i => (char)i),
        .. Enumerable.Range(0x7f, 0x21).Select(i => (char)i), // DEL and C1
        '\u200e', '\u200f', '\u2028', '\u2029', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069',
    ]);

    /// <summary>The text, escaped and cut after <paramref name="maxLength"/> characters (the cut says how much was left out).</summary>
    /// <returns>The text itself when nothing needs escaping or cutting; the empty string for <see langword="null"/>.</returns>
    public static string Escape(string? text, int maxLength = DefaultMaxLength)
    {
        if (text is null)
        {
            return string.Empty;
        }

        ReadOnlySpan<char> kept = text.AsSpan(0, Math.Min(text.Length, maxLength));
        if (kept.Length == text.Length && !kept.ContainsAny(s_escaped))
        {
            return text;
        }

        var escaped = new StringBuilder(kept.Length + 32);
        foreach (char c in kept)
        {
            if (!s_escaped.Contains(c))
            {
                escaped.Append(c);
            }
            else if (c <= '\u009f')
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }

        if (kept.Length < text.Length)
        {
            escaped.Append(CultureInfo.InvariantCulture, $"...(+{text.Length - kept.Length} chars)");
        }

        return escaped.ToString();
    }
}
