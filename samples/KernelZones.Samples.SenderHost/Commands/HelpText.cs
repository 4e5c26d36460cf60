namespace KernelZones.Samples.SenderHost.Commands;

/// <summary><c>--help</c>.</summary>
internal static class HelpText
{
    public const string Usage = """
        SenderHost: a kernel zone migration source, as zonecfg and zoneadm.

        usage:
          SenderHost [--state-dir <dir>] zonecfg -z <zone> info|export
          SenderHost [--state-dir <dir>] zonecfg -z <zone> -f <export file>
          SenderHost [--state-dir <dir>] zoneadm [-z <zone>] list [-c] [-v] [-p] [-s]
          SenderHost [--state-dir <dir>] zoneadm -z <zone> boot|halt
          SenderHost [--state-dir <dir>] zoneadm -z <zone> migrate [-n] [-q] [-c <cipher>|list|none] [-t auto|live]
                     [-i <key file>] [--password-file <file>] [--workload none|<MiB/s>[:<working set>]] [--peer-timeout <seconds>] <remote>

        <remote>: host, host:port, user@host[:port], rads://[user@]host[:port] (password), ssh://[user@]host[:port] (key);
                  the port defaults to 12302, the user to the current user.
        -n  dry run: import, attach, boot in migrating-in mode, check compatibility, clean up
        -q  quiet: no step messages, no progress, no summary
        -c  the memory stream's cipher; 'list' prints both hosts' ciphers; 'none' needs the receiver's --allow-none
        -t  auto (default) or live: both migrate a running zone live (cold and warm migration are not offered)
        -i  the ECDSA P-256 private key (PEM) for ssh://; default ~/.ssh/id_ecdsa
        password for rads:// and plain hosts: --password-file <file> (first line), else KZ_PASSWORD, else a prompt
                  without echo (or one line of standard input when it is redirected)
        --workload  the simulated guest's dirtying rate and working set (KZ_WORKLOAD); default 16 MiB/s over a
                  quarter of memory (at most 256M); 'none' for an idle guest
        --peer-timeout  fail when the destination stays silent this many seconds (KZ_PEER_TIMEOUT); default 120 s
                  on the control connection, 30 s on the data connections

        state directory (--state-dir, else KZ_STATE_DIR, else ~/.local/share/kernelzones/sender):
          zones/<zone>.cfg    the configuration (zonecfg export form)
          zones/<zone>.state  the recorded state: 'zonecfg -f' records installed (the zone's storage is shared and
                              holds the installed zone), boot records running, halt installed, a migration away
                              configured (halted and detached: it runs on the destination now, so boot
                              refuses it); unavailable when a commit was not acknowledged
          known_hosts         destinations' certificate fingerprints, pinned on first use
        A zone recorded running has no process of its own: migrate boots its simulated guest (memory of its
        capped-memory physical, half of it data, and the workload) in the migrating process.

        exit status: 0 success, 1 failure (zoneadm: zone '<zone>': migrate failed.), 2 usage error,
                     3 the destination did not acknowledge the commit (the zone may run there).
        """;
}
