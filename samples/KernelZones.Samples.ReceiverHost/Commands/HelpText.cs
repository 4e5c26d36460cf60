namespace KernelZones.Samples.ReceiverHost.Commands;

/// <summary><c>--help</c>.</summary>
internal static class HelpText
{
    public const string Usage = """
        ReceiverHost: a kernel zone migration destination (the rad:remote and kz-migr services of Solaris 11.3 kernel zones).

        usage:
          ReceiverHost [run] [options]                start both services; Ctrl-C or SIGTERM stops them
          ReceiverHost adduser <name> [options]       add or replace a user (password from the terminal without
                        [--zones *|z1,z2|-]           echo, or one line of standard input); --zones: the zones
                        [--key <file.pub>]            the user may migrate in (default *); --key: append an
                        [--no-password]               ecdsa-sha2-nistp256 public key to the user's authorized
                                                      keys; --no-password: key-based only
          ReceiverHost identity [options]             create the TLS identity if missing; print its files and fingerprint
          ReceiverHost --help

        options (command line first, then environment, then default):
          --state-dir <dir>          KZ_STATE_DIR        default ~/.local/share/kernelzones/receiver
          --address <ip>             KZ_ADDRESS          both services; default :: (every IPv4 and IPv6 address)
          --control-address <ip>     KZ_CONTROL_ADDRESS  rad:remote only; default --address
          --control-port <port>      KZ_CONTROL_PORT     default 12302; 0 picks a free port (printed on start)
          --data-address <ip>        KZ_DATA_ADDRESS     kz-migr only; default --address
          --data-port <port>         KZ_DATA_PORT        default 8102; 0 picks a free port (printed on start)
          --identity-dir <dir>       KZ_IDENTITY_DIR     TLS certificate and key (generated on first start);
                                                         default <state-dir>/identity
          --host-name <name>         KZ_HOST_NAME        name in the certificate and the hello; default this machine's
          --users <file>             KZ_USERS_FILE       users file (see 'adduser'); default <state-dir>/users
          --authorized-keys <path>   KZ_AUTHORIZED_KEYS  public keys for ssh://; %u is the user name (a path without
                                                         %u serves every user, as OpenSSH's AuthorizedKeysFile);
                                                         default <state-dir>/authorized_keys/%u
          --allow-none               KZ_ALLOW_NONE=1     allow unencrypted memory streams (-c none)
          --max-stripes <n>          KZ_MAX_STRIPES      cap on data connections per migration; default 0 (no cap)
          --metrics[=<seconds>]      KZ_METRICS          print the KernelZones.* meters every 10 s (or <seconds>) and on exit
          --peer-timeout <seconds>   KZ_PEER_TIMEOUT     drop a migration whose source stays silent this long (control and
                                                         data connections); default 120 s control, 30 s data
          --log-level <level>        KZ_LOG_LEVEL        trace, debug, information (default), warning, error

        state directory: zones/<zone>.cfg holds each zone received (zonecfg export form; configured again,
        detached, on the next start), status holds this host's 'zoneadm list -s' after every change
        (removed at a clean stop).
        exit status: 0 after a clean stop, 1 on an error, 2 on a usage error.
        """;
}
