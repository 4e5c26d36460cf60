using System.CommandLine;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace KernelZones.Benchmarks;

/// <summary>
/// The program's command line. A mode word first (<c>transport</c>, <c>migrate</c>, <c>flood</c>, <c>kvm</c>) runs
/// that end-to-end mode with its options (<c>transport --help</c> lists them); any other arguments are
/// BenchmarkDotNet's, handed to it untouched (<c>--filter '*Cipher*'</c>, <c>--job short</c>, <c>--list flat</c>, its <c>--help</c>).
/// </summary>
internal static class BenchmarkModes
{
    /// <summary>Options and values are taken literally: no <c>@file</c> expansion.</summary>
    private static readonly ParserConfiguration s_parsing = new() { ResponseFileTokenReplacer = null };

    public static async Task<int> RunAsync(string[] args)
    {
        var modes = new RootCommand("KernelZones end-to-end benchmarks; without a mode word the arguments go to BenchmarkDotNet.")
        {
            Transport.TransportMode.CreateCommand(),
            Migrate.MigrateMode.CreateCommand(),
            Flood.FloodMode.CreateCommand(),
            Kvm.KvmMode.CreateCommand(),
        };
        return args is [string word, ..] && modes.Subcommands.Any(mode => mode.Name == word)
            ? await modes.Parse(args, s_parsing).InvokeAsync()
            : RunBenchmarkDotNet(args);
    }

    private static int RunBenchmarkDotNet(string[] args)
    {
        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkModes).Assembly).Run(args);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
