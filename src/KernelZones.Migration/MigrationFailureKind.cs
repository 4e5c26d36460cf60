namespace KernelZones.Migration;

/// <summary>What went wrong in a migration, so that callers can react without parsing messages.</summary>
/// <remarks>Values are sent on the wire in <c>Error</c> messages; never renumber an existing member.</remarks>
public enum MigrationFailureKind
{
    /// <summary>A failure the peer reported with a kind this version does not know.</summary>
    Unknown = 0,

    /// <summary>The remote address does not have one of the accepted forms.</summary>
    InvalidAddress = 1,

    /// <summary>The TCP connection could not be made or was lost.</summary>
    Connection = 2,

    /// <summary>The TLS handshake failed (protocol version, cipher suite, or certificate chain).</summary>
    Tls = 3,

    /// <summary>The server's certificate is not pinned, or differs from the pinned one.</summary>
    ServerIdentity = 4,

    /// <summary>The peer could not prove who it is (wrong password, unknown key, bad signature).</summary>
    Authentication = 5,

    /// <summary>The authenticated user may not migrate into this destination or this zone.</summary>
    Authorization = 6,

    /// <summary>The peer sent bytes that are not a valid message, or a message out of order.</summary>
    Protocol = 7,

    /// <summary>The two hosts share no protocol version.</summary>
    Version = 8,

    /// <summary>The zone cannot run on the destination (configuration check failed).</summary>
    Compatibility = 9,

    /// <summary>No cipher both hosts support and allow.</summary>
    Cipher = 10,

    /// <summary>A step did not complete within its time limit, or the peer went silent.</summary>
    Timeout = 11,

    /// <summary>Local credentials (password, private key, identity files) are missing or unreadable.</summary>
    Credentials = 12,

    /// <summary>The peer aborted the migration.</summary>
    Aborted = 13,

    /// <summary>The destination could not make the zone durable (its <see cref="Lifecycle.IZoneStore"/> failed), so it refused the commit.</summary>
    Persistence = 14,

    /// <summary>
    /// The zone's guest, resumed on the destination before the commit (see <see cref="Guests.IGuestReadiness"/>), faulted,
    /// reported a failure of its own, or gave no sign of life within the destination's readiness timeout; the destination
    /// destroyed its copy and the zone runs on the source.
    /// </summary>
    GuestNotReady = 15,
}
