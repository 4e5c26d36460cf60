namespace KernelZones.Samples.SenderHost;

/// <summary>What <c>zoneadm -z &lt;zone&gt; migrate</c> was asked to do, from its options (see <see cref="Commands.SenderCommandLine"/>).</summary>
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

    /// <summary>The guest's workload for this migration; <see langword="null"/> keeps the one boot recorded.</summary>
    public string? Workload { get; init; }

    /// <summary>How long a silent destination is waited for (<c>--peer-timeout</c> or <c>KZ_PEER_TIMEOUT</c>, seconds); <see langword="null"/> keeps the library defaults (control 2 min, data 30 s).</summary>
    public TimeSpan? PeerTimeout { get; init; }

    public required string Remote { get; init; }

    public bool ListCiphers => Cipher == "list";
}
