namespace KernelZones.Samples.SenderHost;

/// <summary>The options every command shares (the state directory), and single-letter flag parsing as zoneadm does it (<c>-nq</c>).</summary>
internal static class CommandLine
{
    /// <summary>Takes <c>--state-dir &lt;dir&gt;</c> (or <c>KZ_STATE_DIR</c>, or the per-user default) off the front of the arguments.</summary>
    public static (string StateDirectory, string[] Command) SplitGlobalOptions(string[] args)
    {
        string? state = null;
        int i = 0;
        while (i < args.Length && args[i].StartsWith("--state-dir", StringComparison.Ordinal))
        {
            if (args[i].StartsWith("--state-dir=", StringComparison.Ordinal))
            {
                state = args[i]["--state-dir=".Length..];
                i++;
            }
            else
            {
                state = i + 1 < args.Length ? args[i + 1] : throw new UsageException("--state-dir needs a directory");
                i += 2;
            }
        }

        state ??= Environment.GetEnvironmentVariable("KZ_STATE_DIR") is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultStateDirectory();
        return (Path.GetFullPath(state), args[i..]);
    }

    /// <summary>The letters of <c>-x</c> style flags, combined or not (<c>-c -v</c> and <c>-cv</c> alike).</summary>
    public static HashSet<char> Letters(IEnumerable<string> flags, string allowed)
    {
        var letters = new HashSet<char>();
        foreach (string flag in flags)
        {
            if (flag.Length < 2 || flag[0] != '-' || flag[1..].Any(c => !allowed.Contains(c, StringComparison.Ordinal)))
            {
                throw new UsageException($"illegal option '{flag}'; allowed: -{allowed}");
            }

            letters.UnionWith(flag[1..]);
        }

        return letters;
    }

    private static string DefaultStateDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "kernelzones", "sender");
}
