using System.Globalization;

namespace KernelZones.Benchmarks.Measurement;

/// <summary>The `--name value` arguments of an end-to-end mode.</summary>
internal sealed class ModeArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public ModeArguments(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs; got '{args[i]}'.");
            }

            _values[args[i][2..]] = args[++i];
        }
    }

    public string Get(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public int GetInt(string name, int fallback) => _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public long GetSize(string name, string fallback) => ParseSize(Get(name, fallback));

    /// <summary>Parses 4G, 512M, 256K, 1.5T or a plain byte count (binary units).</summary>
    public static long ParseSize(string text)
    {
        text = text.Trim();
        long unit = char.ToUpperInvariant(text[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            'T' => 1L << 40,
            _ => 1,
        };
        string number = unit == 1 ? text : text[..^1];
        return (long)(double.Parse(number, CultureInfo.InvariantCulture) * unit);
    }
}
