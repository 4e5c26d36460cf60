namespace KernelZones.Migration.Control.Internal;

/// <summary>
/// The client's known-hosts file: one <c>host:port SHA256:fingerprint</c> per line (<c>[v6]:port</c>
/// for IPv6), <c>#</c> comments. Like OpenSSH's known_hosts, but pinning the TLS certificate.
/// </summary>
internal sealed class KnownHosts
{
    private readonly string _path;

    public KnownHosts(string path) => _path = path;

    /// <summary>The pinned fingerprint of <paramref name="hostAndPort"/>, or <see langword="null"/>.</summary>
    public string? Find(string hostAndPort)
    {
        if (!File.Exists(_path))
        {
            return null;
        }

        foreach (string raw in File.ReadLines(_path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && string.Equals(fields[0], hostAndPort, StringComparison.OrdinalIgnoreCase))
            {
                return fields[1];
            }
        }

        return null;
    }

    public void Add(string hostAndPort, string fingerprint)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(_path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.AppendAllText(_path, $"{hostAndPort} {fingerprint}\n");
    }

    public static string ChangedWarning(string hostAndPort, string pinned, string presented, string path) =>
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n" +
        "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n" +
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n" +
        "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n" +
        "Someone could be eavesdropping on you right now (man-in-the-middle attack)!\n" +
        "It is also possible that the host's certificate has just been changed.\n" +
        $"The fingerprint for the certificate sent by {hostAndPort} is\n{presented}.\n" +
        $"The pinned fingerprint in {path} is\n{pinned}.\n" +
        $"Remove the line for {hostAndPort} from {path} if the change is expected.\n" +
        "Connection refused: host certificate has changed.";
}
