namespace KernelZones.Benchmarks;

/// <summary>
/// The program's mode words: when the first argument is one, the rest of the arguments go to that mode
/// instead of BenchmarkDotNet. A mode returns the process exit code.
/// </summary>
internal static class BenchmarkModes
{
    // Register a mode here: name -> entry point taking the arguments after the mode word.
    private static readonly Dictionary<string, Func<string[], Task<int>>> s_modes = new(StringComparer.Ordinal)
    {
        ["transport"] = Transport.TransportMode.RunAsync,
        ["migrate"] = Migrate.MigrateMode.RunAsync,
        ["flood"] = Flood.FloodMode.RunAsync,
        ["kvm"] = Kvm.KvmMode.RunAsync,
    };

    // Words kept for end-to-end modes ("transport": stripes over loopback, "migrate": a whole zone migration,
    // "flood": migrations under a control-port connection flood), so that a build without one of them never hands
    // the word to BenchmarkDotNet's parser.
    private static readonly string[] s_reserved = ["transport", "migrate", "flood", "kvm"];

    /// <summary>The mode <paramref name="args"/> names in its first argument, or <see langword="null"/> for BenchmarkDotNet.</summary>
    public static Func<string[], Task<int>>? Find(string[] args)
    {
        if (args.Length == 0)
        {
            return null;
        }

        if (s_modes.TryGetValue(args[0], out Func<string[], Task<int>>? mode))
        {
            return mode;
        }

        return s_reserved.Contains(args[0], StringComparer.Ordinal) ? _ => Unavailable(args[0]) : null;
    }

    private static async Task<int> Unavailable(string name)
    {
        string available = s_modes.Count == 0 ? "none yet" : string.Join(' ', s_modes.Keys);
        await Console.Error.WriteLineAsync(
            $"Mode '{name}' is reserved but not part of this build (modes available: {available}). " +
            "Without a mode word the arguments go to BenchmarkDotNet, e.g. --filter '*Cipher*'.");
        return 2;
    }
}
