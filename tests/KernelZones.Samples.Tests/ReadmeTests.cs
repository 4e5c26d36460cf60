using System.Text.RegularExpressions;
using KernelZones.Migration.Authentication;

namespace KernelZones.Samples.Tests;

/// <summary>
/// The README's two-host walkthrough, run as written: every line of its two shell blocks goes through bash in the
/// repository's folder with a fresh home (holding the zone file and the key), with <c>desthost</c> replaced by the
/// receiver's address. The two ways to migrate (a
/// password, a key) are alternatives: each runs after the lines before it, on hosts of its own.
/// <remarks>
/// Its commands build the samples and the benchmarks (<c>dotnet build -c Release</c>, <c>dotnet run</c>), rewriting the
/// binaries that the other tests start as processes, so it runs alone, after them.
/// </remarks>
[Collection(ReadmeCommands.Name)]
public sealed partial class ReadmeTests
{
    private static readonly TimeSpan s_lineTimeout = TimeSpan.FromMinutes(4);
    private static readonly Dictionary<string, string> s_buildEnvironment = new() { ["MSBUILDDISABLENODEREUSE"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };

    [Fact]
    public async Task Every_command_of_the_two_host_walkthrough_runs_as_written()
    {
        (string[] receiver, string[] sender) = Walkthrough(File.ReadAllText(Path.Combine(SamplePaths.Repository, "README.md")));
        string[] migrations = [.. sender.Where(l => MigrationLine().IsMatch(l))];
        Assert.True(migrations.Length == 2, $"expected the password and the key migration lines, found:\n{string.Join('\n', migrations)}");

        bool built = false;
        foreach (string migration in migrations)
        {
            string[] lines = [.. receiver, .. sender.Where(l => !migrations.Contains(l) || l == migration)];
            await RunAsync(lines, runBuilds: !built);
            built = true;
        }
    }

    [Fact]
    public async Task Every_benchmark_command_runs_as_written_on_small_sizes()
    {
        string readme = File.ReadAllText(Path.Combine(SamplePaths.Repository, "README.md"));
        string[] commands = [.. readme.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("dotnet run -c Release --project benchmarks/", StringComparison.Ordinal))];
        Assert.True(commands.Length >= 4, $"expected the cipher, transport, migrate and flood commands, found {commands.Length}");
        foreach (string command in commands)
        {
            string small = Small(command);
            await using SampleProcess run = SampleProcess.StartShell(small, SamplePaths.Repository, s_buildEnvironment);
            int exitCode = await run.WaitForExitAsync(s_lineTimeout);
            Assert.True(exitCode == 0, $"`{small}` (from `{command}`) exited {exitCode}:\n{run.Output}\n{run.Error}");
        }
    }

    [Fact]
    public async Task The_migrate_benchmark_writes_end_to_end_setup_transfer_and_cpu_figures_as_the_readme_says()
    {
        string readme = File.ReadAllText(Path.Combine(SamplePaths.Repository, "README.md"));
        string command = readme.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("dotnet run -c Release --project benchmarks/", StringComparison.Ordinal) && l.Contains("-- migrate --memory 4G", StringComparison.Ordinal));
        string json = Path.Combine(Directory.CreateTempSubdirectory("kz-migrate-json-").FullName, "out.json");
        string small = $"{Small(command)} --json {json}";
        await using (SampleProcess run = SampleProcess.StartShell(small, SamplePaths.Repository, s_buildEnvironment))
        {
            int exitCode = await run.WaitForExitAsync(s_lineTimeout);
            Assert.True(exitCode == 0, $"`{small}` exited {exitCode}:\n{run.Output}\n{run.Error}");
        }

        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        System.Text.Json.JsonElement root = report.RootElement;
        double Number(string name) => root.TryGetProperty(name, out var value) ? value.GetDouble() : throw new Xunit.Sdk.XunitException($"{name} is missing from {root}");

        Assert.Equal("migrate", root.GetProperty("mode").GetString());
        Assert.Equal(64L << 20, (long)Number("memoryBytes"));
        Assert.Equal(Number("endToEndMs"), Number("totalMs")); // the same quantity, the latter for older readers
        Assert.Equal(Number("endToEndMs"), Number("setupMs") + Number("transferMs"), 3);
        Assert.Equal(Number("memoryBytes") / Number("endToEndMs") / 1e6, Number("endToEndGBps"), 6);
        Assert.InRange(Number("transferCpuSeconds"), 0, Number("cpuSeconds"));
        Assert.True(Number("throughputGBps") > 0 && Number("baselineGBps") > 0 && Number("rounds") >= 1 && Number("bytesOnWire") >= Number("memoryBytes"), root.ToString());
    }

    /// <summary>
    /// The command with its optional parts (<c>[...]</c>) left out, sizes cut to 64 MiB and one run, and the
    /// BenchmarkDotNet suite listed rather than run (it takes minutes): what is checked is that the command line is one
    /// the program accepts and runs.
    /// </summary>
    private static string Small(string command)
    {
        string line = OptionalPart().Replace(command[..(command.IndexOf(" #", StringComparison.Ordinal) is int hash and > 0 ? hash : command.Length)], string.Empty).Trim();
        line = Size().Replace(line, "$1 64M");
        line = line.Replace("--runs 3", "--runs 1", StringComparison.Ordinal);
        return line.Contains("--filter", StringComparison.Ordinal) ? line + " --list flat" : line;
    }

    private static async Task RunAsync(string[] lines, bool runBuilds)
    {
        DirectoryInfo root = Directory.CreateTempSubdirectory("kz-readme-");
        SampleProcess? server = null;
        try
        {
            string home = root.FullName;
            string work = SamplePaths.Repository;
            Directory.CreateDirectory(Path.Combine(home, ".ssh"));
            using (ClientKey key = ClientKey.Generate("ops@readme"))
            {
                File.WriteAllText(Path.Combine(home, ".ssh", "id_ecdsa"), key.ExportPkcs8Pem());
                File.WriteAllText(Path.Combine(home, ".ssh", "id_ecdsa.pub"), key.PublicKey + "\n");
            }

            File.WriteAllText(Path.Combine(home, "kzone1.cfg"), TwoHosts.ZoneFile("64M"));
            const string password = "readme walkthrough";
            var environment = new Dictionary<string, string>
            {
                ["HOME"] = home,
                ["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share"),
                ["KZ_ADDRESS"] = "127.0.0.1",
                ["KZ_CONTROL_PORT"] = "0",
                ["KZ_DATA_PORT"] = "0",
                ["KZ_PASSWORD"] = password,
                ["MSBUILDDISABLENODEREUSE"] = "1",
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",
            };

            var assignments = new List<string>();
            string? destination = null;
            foreach (string line in lines)
            {
                if (Assignment().IsMatch(line))
                {
                    assignments.Add(line);
                    continue;
                }

                bool build = line.StartsWith("dotnet build ", StringComparison.Ordinal);
                if (build && !runBuilds)
                {
                    continue;
                }

                string script = string.Join('\n', [.. assignments, Substitute(line, destination)]);
                if (ServerLine().IsMatch(line))
                {
                    server = SampleProcess.StartShell(script, work, environment);
                    string listening = await server.WaitForLineAsync(l => Listening().IsMatch(l), s_lineTimeout);
                    destination = "127.0.0.1:" + Listening().Match(listening).Groups[1].Value;
                    continue;
                }

                // A build keeps this machine's home: NuGet's package folder and configuration come from it, and a restore
                // under the fresh home would rewrite the repository's project.assets.json to point into a folder that is
                // deleted afterwards (and that a pack running beside this test cannot resolve).
                await using SampleProcess command = SampleProcess.StartShell(script, work, build ? s_buildEnvironment : environment, input: password + "\n");
                int exitCode = await command.WaitForExitAsync(s_lineTimeout);
                Assert.True(exitCode == 0, $"`{line}` exited {exitCode}:\n{command.Output}\n{command.Error}");
                if (MigrationLine().IsMatch(line))
                {
                    Assert.Contains("zoneadm: zone 'kzone1': Migration successful.", command.Output, StringComparison.Ordinal);
                }
            }

            Assert.NotNull(server);
            string[] movedRestores = [.. Directory.EnumerateFiles(work, "project.assets.json", SearchOption.AllDirectories)
                .Where(f => File.ReadAllText(f).Contains(home, StringComparison.Ordinal))];
            Assert.True(movedRestores.Length == 0, $"restored under the walkthrough's temporary home: {string.Join(", ", movedRestores)}");
            Assert.Contains(" running", File.ReadAllText(Path.Combine(home, ".local", "share", "kernelzones", "receiver", "status")), StringComparison.Ordinal);
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            root.Delete(recursive: true);
        }
    }

    /// <summary>The command lines of the two shell blocks under "Two hosts" (the receiver's, then the sender's).</summary>
    private static (string[] Receiver, string[] Sender) Walkthrough(string readme)
    {
        string section = readme[readme.IndexOf("\n## Two hosts", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        string[][] blocks = [.. ShellBlock().Matches(section).Select(m => m.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
        Assert.True(blocks.Length == 2, $"expected two sh blocks under 'Two hosts', found {blocks.Length}");
        return (blocks[0], blocks[1]);
    }

    private static string Substitute(string line, string? destination) =>
        destination is null ? line : line.Replace("@desthost", "@" + destination, StringComparison.Ordinal);

    [GeneratedRegex(@"\s*\[[^\]]*\]")]
    private static partial Regex OptionalPart();

    [GeneratedRegex(@"(--size|--memory) \d+[GM]")]
    private static partial Regex Size();

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"^[A-Z]+=\S+$")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^dotnet \$R\s*(#.*)?$")]
    private static partial Regex ServerLine();

    [GeneratedRegex(@"^rad:remote\s+listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"^dotnet \$S zoneadm -z kzone1 migrate (?!-n |-c )")]
    private static partial Regex MigrationLine();
}

/// <summary>The README's commands, which rebuild the sample binaries: run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReadmeCommands
{
    public const string Name = "README commands";
}
