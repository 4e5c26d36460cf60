using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Benchmarks.Measurement;

/// <summary>The options several end-to-end modes share, and the size syntax (<c>4G</c>, <c>512M</c>, <c>256K</c>, <c>1.5T</c>, bytes).</summary>
internal static class ModeOptions
{
    /// <summary>A size option with a default.</summary>
    public static Option<long> Size(string name, string fallback, string description) => new(name)
    {
        HelpName = "size",
        Description = description,
        DefaultValueFactory = _ => ParseSize(fallback),
        CustomParser = result => TryParseSize(result.Tokens[0].Value, out long size) ? size : Refuse(result, name),
    };

    /// <summary>A size option whose default depends on other options (<see langword="null"/> when not given).</summary>
    public static Option<long?> Size(string name, string description) => new(name)
    {
        HelpName = "size",
        Description = description,
        CustomParser = result => TryParseSize(result.Tokens[0].Value, out long size) ? size : Refuse(result, name),
    };

    /// <summary><c>--cipher</c>, one of the transport's ciphers.</summary>
    public static Option<string> Cipher(string description)
    {
        var cipher = new Option<string>("--cipher") { HelpName = "cipher", Description = description };
        cipher.AcceptOnlyFromAmong([.. CipherSuite.Known]);
        return cipher;
    }

    /// <summary><c>--json</c>: where to write the mode's report as JSON, beside what it prints.</summary>
    public static Option<string> Json() => new("--json") { HelpName = "file", Description = "Also write the report as JSON to this file." };

    /// <summary>Parses 4G, 512M, 256K, 1.5T or a plain byte count (binary units).</summary>
    /// <exception cref="FormatException">The text is not a size.</exception>
    public static long ParseSize(string text) =>
        TryParseSize(text, out long size) ? size : throw new FormatException($"'{text}' is not a size such as 4G, 512M, 256K or a byte count.");

    private static bool TryParseSize(string text, out long size)
    {
        text = text.Trim();
        long unit = text.Length == 0 ? 1 : char.ToUpperInvariant(text[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            'T' => 1L << 40,
            _ => 1,
        };
        string number = unit == 1 ? text : text[..^1];
        bool parsed = double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && value * unit < long.MaxValue;
        size = parsed ? (long)(value * unit) : 0;
        return parsed;
    }

    private static long Refuse(ArgumentResult result, string name)
    {
        result.AddError($"{name} {result.Tokens[0].Value}: not a size such as 4G, 512M, 256K or a byte count");
        return 0;
    }
}
