using System.Text.RegularExpressions;

namespace KernelZones.Packages.Tests;

/// <summary>
/// The NuGet packages as an outside user gets them: both are packed into a temporary folder, a small consumer
/// program is restored from that folder only (its third-party dependencies come from the machine's package cache,
/// never from a feed), built, and run: it migrates a zone over loopback through the packages' public API.
/// </summary>
public sealed partial class PackageConsumerTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public async Task The_packages_restore_from_a_folder_build_a_consumer_and_migrate_a_zone()
    {
        string repository = RepositoryRoot();
        string work = Directory.CreateTempSubdirectory("kz-packages-").FullName;
        try
        {
            // A version no cache has seen, so that restore can only find these packages in the folder.
            string version = $"0.1.0-consumer.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
            string feed = Directory.CreateDirectory(Path.Combine(work, "feed")).FullName;
            foreach (string project in new[] { "KernelZones.Migration.Transport", "KernelZones.Migration" })
            {
                var pack = await DotnetCommand.RunAsync(repository, s_timeout, null,
                    "pack", Path.Combine("src", project, project + ".csproj"), "-c", Configuration, "--no-build", "-o", feed, $"-p:Version={version}");
                Assert.True(pack.ExitCode == 0, pack.Output);
                Assert.True(File.Exists(Path.Combine(feed, $"{project}.{version}.nupkg")), pack.Output);
                Assert.True(File.Exists(Path.Combine(feed, $"{project}.{version}.snupkg")), pack.Output);
            }

            string consumer = Directory.CreateDirectory(Path.Combine(work, "consumer")).FullName;
            foreach (string file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Consumer")))
            {
                File.Copy(file, Path.Combine(consumer, Path.GetFileName(file)));
            }

            string cache = await GlobalPackagesFolderAsync(work);
            File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="kernelzones" value="{feed}" />
                  </packageSources>
                  <fallbackPackageFolders>
                    <clear />
                    <add key="machine-cache" value="{cache}" />
                  </fallbackPackageFolders>
                </configuration>
                """);
            var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work, "packages") };

            var build = await DotnetCommand.RunAsync(consumer, s_timeout, environment, "build", "-c", "Release", $"-p:KernelZonesVersion={version}");
            Assert.True(build.ExitCode == 0, build.Output);
            Assert.True(Directory.Exists(Path.Combine(work, "packages", "kernelzones.migration", version)), "the consumer did not restore KernelZones.Migration from the folder");

            var run = await DotnetCommand.RunAsync(consumer, s_timeout, environment, Path.Combine("bin", "Release", "net10.0", "KernelZones.Consumer.dll"));
            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains("zoneadm: zone 'kz1': Migration successful.", run.Output);
            Assert.Contains("source: Configured, destination: Running, memory equal: True, saved: True", run.Output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void The_readme_embedding_snippets_are_the_consumer_code_the_package_test_compiles()
    {
        string program = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Consumer", "Program.cs"));
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var regions = Region().Matches(program);

        Assert.Equal(2, regions.Count);
        foreach (Match region in regions)
        {
            Assert.True(readme.Contains(region.Groups["code"].Value.Trim(), StringComparison.Ordinal), $"README.md lacks the '{region.Groups["name"].Value}' snippet of Consumer/Program.cs verbatim");
        }
    }

    private static async Task<string> GlobalPackagesFolderAsync(string workingDirectory)
    {
        var locals = await DotnetCommand.RunAsync(workingDirectory, s_timeout, null, "nuget", "locals", "global-packages", "--list");
        var match = Regex.Match(locals.Output, @"global-packages:\s*(?<path>\S.*)");
        Assert.True(locals.ExitCode == 0 && match.Success, locals.Output);
        return match.Groups["path"].Value.Trim();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "KernelZones.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No KernelZones.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"// region: (?<name>\w+)\r?\n(?<code>.*?)// endregion", RegexOptions.Singleline)]
    private static partial Regex Region();
}
