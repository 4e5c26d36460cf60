namespace KernelZones.Samples.ReceiverHost;

/// <summary>
/// Reads <c>--name value</c>, <c>--name=value</c> and <c>--flag</c> options, each falling back to an environment
/// variable; what is not an option is a positional argument.
/// </summary>
internal sealed class OptionReader
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly List<string> _positional = [];
    private readonly Func<string, string?> _environment;

    /// <param name="args">The command line.</param>
    /// <param name="flags">Options that take no value.</param>
    /// <param name="valued">Options that take a value.</param>
    /// <param name="environment">Reads an environment variable.</param>
    public OptionReader(IReadOnlyList<string> args, IReadOnlySet<string> flags, IReadOnlySet<string> valued, Func<string, string?> environment)
    {
        _environment = environment;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                _positional.Add(arg);
                continue;
            }

            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? arg[2..] : arg[2..equals];
            if (flags.Contains(name))
            {
                _options[name] = equals < 0 ? "true" : arg[(equals + 1)..];
            }
            else if (valued.Contains(name))
            {
                _options[name] = equals >= 0 ? arg[(equals + 1)..]
                    : i + 1 < args.Count ? args[++i]
                    : throw new UsageException($"option --{name} needs a value");
            }
            else
            {
                throw new UsageException($"unknown option {arg}");
            }
        }
    }

    /// <summary>The arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positional => _positional;

    /// <summary>The option's value, else the environment variable's (when non-empty), else <see langword="null"/>.</summary>
    public string? Get(string name, string? variable = null)
    {
        if (_options.TryGetValue(name, out string? value))
        {
            return value;
        }

        return variable is not null && _environment(variable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
    }

    /// <summary>Whether a flag is set (<c>--flag</c>, or the variable is <c>1</c>, <c>true</c> or <c>yes</c>).</summary>
    public bool IsSet(string name, string? variable = null) =>
        Get(name, variable) is { } value && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase));
}
