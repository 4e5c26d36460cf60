namespace KernelZones.Samples.SenderHost;

/// <summary>Tells the operator, as ssh does, when a destination's certificate was pinned on first use.</summary>
internal sealed class KnownHostsNotice
{
    private readonly string _path;
    private readonly HashSet<string> _before;

    public KnownHostsNotice(string path)
    {
        _path = path;
        _before = Read(path);
    }

    /// <summary>Prints one warning per entry added since construction (each once).</summary>
    public void Report(TextWriter output)
    {
        foreach (string entry in Read(_path).Except(_before).Order(StringComparer.Ordinal))
        {
            _before.Add(entry);
            string[] fields = entry.Split(' ', 2);
            output.WriteLine($"Warning: permanently added '{fields[0]}' ({(fields.Length > 1 ? fields[1] : "?")}) to the list of known hosts ({_path}).");
        }
    }

    private static HashSet<string> Read(string path) =>
        File.Exists(path) ? [.. File.ReadAllLines(path).Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#'))] : [];
}
