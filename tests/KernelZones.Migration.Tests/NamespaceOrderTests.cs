using System.Text.RegularExpressions;

namespace KernelZones.Migration.Tests;

/// <summary>
/// The namespaces of KernelZones.Migration depend one way, in the order docs/design.md lists them: a namespace may use
/// the ones before it, never one after it (no cycles, and the order is the documented one).
/// </summary>
public sealed partial class NamespaceOrderTests
{
    private static readonly string[] s_order =
        ["Storage", "Configuration", "Lifecycle", "Guests", "Simulation", "Diagnostics", "Authentication", "Negotiation", "Control", "Precopy", "Engine"];

    [Fact]
    public void Every_namespace_uses_only_the_ones_before_it()
    {
        string source = Path.Combine(RepositoryRoot(), "src", "KernelZones.Migration");
        var violations = new List<string>();
        foreach (string folder in Directory.EnumerateDirectories(source).Select(Path.GetFileName).OfType<string>().Where(f => f is not ("bin" or "obj")))
        {
            int rank = Array.IndexOf(s_order, folder);
            Assert.True(rank >= 0, $"src/KernelZones.Migration/{folder} is not in the documented order");
            foreach (string file in Directory.EnumerateFiles(Path.Combine(source, folder), "*.cs", SearchOption.AllDirectories))
            {
                string text = File.ReadAllText(file);
                foreach (string used in Reference().Matches(text).Select(m => m.Groups["ns"].Value).Distinct())
                {
                    int usedRank = Array.IndexOf(s_order, used);
                    if (usedRank > rank)
                    {
                        violations.Add($"{Path.GetRelativePath(source, file)} uses {used}, which comes after {folder}");
                    }
                }
            }
        }

        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void The_check_sees_a_reference_to_a_later_namespace()
    {
        string text = "using KernelZones.Migration.Engine;\nvar x = new Control.Hello(); // ControlCredential, \"Control service\", PrecopyRound";
        Assert.Equal(["Engine", "Control"], Reference().Matches(text).Select(m => m.Groups["ns"].Value));
    }

    /// <summary>The checkout the tests were built from: the first folder above the test binaries that holds KernelZones.sln
    /// (compile-time source paths are mapped away in CI builds, so they cannot be used).</summary>
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

    /// <summary>A using directive or a namespace-qualified type name (<c>Control.Hello</c>) that names one of our namespaces.</summary>
    [GeneratedRegex(@"using KernelZones\.Migration\.(?<ns>Storage|Configuration|Lifecycle|Guests|Simulation|Diagnostics|Authentication|Negotiation|Control|Precopy|Engine)(?=[;.])|(?<![\w.])(?:KernelZones\.Migration\.)?(?<ns>Storage|Configuration|Lifecycle|Guests|Simulation|Diagnostics|Authentication|Negotiation|Control|Precopy|Engine)\.(?=[A-Z])")]
    private static partial Regex Reference();
}
