using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace KernelZones.Testing.Fuzzing;

/// <summary>
/// Runs a parser over generated input: each case must succeed or throw the parser's documented exception, within a
/// time limit. Seeded (the same cases every run); <c>KZ_FUZZ_CASES</c> overrides the per-parser case count for long
/// campaigns, and <c>KZ_FUZZ_SEED</c> the seed.
/// </summary>
internal static class FuzzCampaign
{
    /// <summary>The parser name of the harness's own self-test: its cases are not counted as fuzzing of a parser.</summary>
    public const string SelfTest = "self-test";

    /// <summary>The longest one case may take before it counts as a hang (generous: the CI box is shared).</summary>
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The case count: <c>KZ_FUZZ_CASES</c> when set to a positive number, otherwise <paramref name="ciCases"/>.</summary>
    public static int Cases(int ciCases) =>
        int.TryParse(Environment.GetEnvironmentVariable("KZ_FUZZ_CASES"), out int cases) && cases > 0 ? cases : ciCases;

    /// <summary>The seed: <c>KZ_FUZZ_SEED</c> when set, otherwise <paramref name="seed"/>.</summary>
    public static ulong Seed(ulong seed) =>
        ulong.TryParse(Environment.GetEnvironmentVariable("KZ_FUZZ_SEED"), out ulong chosen) ? chosen : seed;

    /// <summary>
    /// Feeds <paramref name="inputs"/> to <paramref name="parse"/>; fails on any exception <paramref name="documented"/>
    /// rejects and on any case that does not finish within <see cref="CaseTimeout"/>.
    /// </summary>
    public static void Run<T>(string parser, Gen<T> inputs, Action<T> parse, Func<Exception, bool> documented, int ciCases = 2000, ulong seed = 8, TimeSpan? caseTimeout = null)
    {
        TimeSpan limit = caseTimeout ?? CaseTimeout;
        Config config = Config.QuickThrowOnFailure
            .WithMaxTest(Cases(ciCases))
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(Seed(seed)), FSharpOption<int>.None)));
        Check.One(config, Prop.ForAll(Arb.From(inputs), input => RunCase(parser, input, parse, documented, limit)));
    }

    private static bool RunCase<T>(string parser, T input, Action<T> parse, Func<Exception, bool> documented, TimeSpan limit)
    {
        if (parser != SelfTest)
        {
            FuzzStatistics.Record(parser);
        }

        var clock = Stopwatch.StartNew();
        Exception? thrown = null;
        // A dedicated task so that a parser caught in a loop fails the case instead of hanging the run.
        var attempt = Task.Run(() =>
        {
            try
            {
                parse(input);
            }
            catch (Exception e)
            {
                thrown = e;
            }
        });
        if (!attempt.Wait(limit))
        {
            throw new TimeoutException($"{parser} did not finish within {limit.TotalSeconds} s on input {Describe(input)}");
        }

        if (thrown is not null && !documented(thrown))
        {
            throw new InvalidOperationException($"{parser} threw {thrown.GetType().Name} (not its documented exception) after {clock.ElapsedMilliseconds} ms on input {Describe(input)}", thrown);
        }

        return true;
    }

    private static string Describe<T>(T input) => input switch
    {
        byte[] bytes => Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 512))),
        string text => System.Text.Json.JsonSerializer.Serialize(text.Length > 2000 ? text[..2000] : text),
        _ => input?.ToString() ?? "null",
    };
}
