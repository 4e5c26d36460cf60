using System.Diagnostics;
using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace KernelZones.Testing.Fuzzing;

/// <summary>
/// Runs a parser over generated input: each case must succeed or throw the parser's documented exception, within a
/// time limit. The seed changes from run to run and is written to the test's output; a failure names it, and
/// <c>KZ_FUZZ_SEED</c> replays it (with the same <c>KZ_FUZZ_CASES</c>, which overrides the per-parser case count for
/// long campaigns).
/// </summary>
internal static class FuzzCampaign
{
    /// <summary>The parser name of the harness's own self-test: its cases are not counted as fuzzing of a parser.</summary>
    public const string SelfTest = "self-test";

    /// <summary>The environment variable that replays a run's seed.</summary>
    public const string SeedVariable = "KZ_FUZZ_SEED";

    /// <summary>The environment variable that sets the case count per parser.</summary>
    public const string CasesVariable = "KZ_FUZZ_CASES";

    /// <summary>The longest one case may take before it counts as a hang (generous: the CI box is shared).</summary>
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>This run's seed: <c>KZ_FUZZ_SEED</c> when set, otherwise drawn once per process, so that each run explores new cases.</summary>
    public static ulong Seed { get; } =
        ulong.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out ulong chosen) ? chosen : BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));

    /// <summary>The case count: <c>KZ_FUZZ_CASES</c> when set to a positive number, otherwise <paramref name="ciCases"/>.</summary>
    public static int Cases(int ciCases) =>
        int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), out int cases) && cases > 0 ? cases : ciCases;

    /// <summary>A generator for a campaign's sample corpus, derived from <see cref="Seed"/> so that a replay rebuilds the same samples.</summary>
    /// <param name="stream">Tells apart the generators one test draws.</param>
    public static Random CreateRandom(int stream) => new(unchecked((int)(Seed ^ (Seed >> 32) ^ ((ulong)stream * 0x9E3779B97F4A7C15))));

    /// <summary>
    /// Feeds <paramref name="inputs"/> to <paramref name="parse"/>; fails on any exception <paramref name="documented"/>
    /// rejects and on any case that does not finish within <see cref="CaseTimeout"/>, with a message naming the seed.
    /// </summary>
    public static void Run<T>(string parser, Gen<T> inputs, Action<T> parse, Func<Exception, bool> documented, int ciCases = 2000, TimeSpan? caseTimeout = null)
    {
        TimeSpan limit = caseTimeout ?? CaseTimeout;
        int cases = Cases(ciCases);
        string replay = $"{SeedVariable}={Seed}" + (cases == ciCases ? "" : $" {CasesVariable}={cases}");
        TestContext.Current.TestOutputHelper?.WriteLine($"{parser}: {cases} cases, seed {Seed} (replay with {replay})");
        Config config = Config.QuickThrowOnFailure
            .WithMaxTest(cases)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(Seed), FSharpOption<int>.None)));
        try
        {
            Check.One(config, Prop.ForAll(Arb.From(inputs), input => RunCase(parser, input, parse, documented, limit)));
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{parser}: a fuzz case failed with seed {Seed} (replay with {replay}): {e.Message}", e);
        }
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
