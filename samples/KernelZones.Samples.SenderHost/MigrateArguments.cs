using System.Globalization;

namespace KernelZones.Samples.SenderHost;

/// <summary>
/// <c>migrate [-n] [-q] [-c &lt;cipher&gt;|list|none] [-t auto|live] [-i &lt;key file&gt;] [--password-file &lt;file&gt;]
/// [--workload none|&lt;MiB/s&gt;[:&lt;working set&gt;]] [--peer-timeout &lt;seconds&gt;] &lt;remote&gt;</c>; flags may be combined (<c>-nq</c>).
/// </summary>
internal sealed record MigrateArguments
{
    public bool DryRun { get; init; }

    public bool Quiet { get; init; }

    /// <summary>The cipher; <see langword="null"/> lets the hosts choose; <c>list</c> prints the lists.</summary>
    public string? Cipher { get; init; }

    /// <summary>Whether <c>-t live</c> was given (the default <c>auto</c> also means live for a running zone).</summary>
    public bool LiveOnly { get; init; }

    public string? KeyFile { get; init; }

    public string? PasswordFile { get; init; }

    public string? Workload { get; init; }

    /// <summary>How long a silent destination is waited for (<c>--peer-timeout</c> or <c>KZ_PEER_TIMEOUT</c>, seconds); <see langword="null"/> keeps the library defaults (control 2 min, data 30 s).</summary>
    public TimeSpan? PeerTimeout { get; init; }

    public required string Remote { get; init; }

    public bool ListCiphers => Cipher == "list";

    public static MigrateArguments Parse(IReadOnlyList<string> args)
    {
        bool dryRun = false, quiet = false, liveOnly = false;
        string? cipher = null, keyFile = null, passwordFile = null, workload = null, peerTimeout = null, remote = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "-c":
                    cipher = Value(args, ref i);
                    break;
                case "-t":
                    liveOnly = Value(args, ref i) switch
                    {
                        "auto" => false,
                        "live" => true,
                        string other => throw new UsageException($"-t {other}: the migration type is auto or live"),
                    };
                    break;
                case "-i":
                    keyFile = Value(args, ref i);
                    break;
                case "--password-file":
                    passwordFile = Value(args, ref i);
                    break;
                case "--workload":
                    workload = Value(args, ref i);
                    break;
                case "--peer-timeout":
                    peerTimeout = Value(args, ref i);
                    break;
                case ['-', _, ..]:
                    HashSet<char> flags = CommandLine.Letters([arg], "nq");
                    dryRun |= flags.Contains('n');
                    quiet |= flags.Contains('q');
                    break;
                default:
                    remote = remote is null ? arg : throw new UsageException($"unexpected '{arg}' after the remote '{remote}'");
                    break;
            }
        }

        return new MigrateArguments
        {
            DryRun = dryRun,
            Quiet = quiet,
            Cipher = cipher,
            LiveOnly = liveOnly,
            KeyFile = keyFile,
            PasswordFile = passwordFile,
            Workload = workload ?? Environment.GetEnvironmentVariable("KZ_WORKLOAD"),
            PeerTimeout = Seconds(peerTimeout ?? Environment.GetEnvironmentVariable("KZ_PEER_TIMEOUT")),
            Remote = remote ?? throw new UsageException("usage: zoneadm -z <zone> migrate [-n] [-q] [-c <cipher>|list|none] [-t auto|live] <remote>"),
        };
    }

    private static TimeSpan? Seconds(string? text) => text switch
    {
        null or "" => null,
        _ when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds is >= 1 and <= 3600 => TimeSpan.FromSeconds(seconds),
        _ => throw new UsageException($"--peer-timeout {text}: not a number of seconds from 1 to 3600"),
    };

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        i + 1 < args.Count ? args[++i] : throw new UsageException($"option {args[i]} needs a value");
}
