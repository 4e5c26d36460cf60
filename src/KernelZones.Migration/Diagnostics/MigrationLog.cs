using System.Net;
using Microsoft.Extensions.Logging;

namespace KernelZones.Migration.Diagnostics;

/// <summary>Every log message of this assembly, source-generated, with stable event ids (never renumber).</summary>
/// <remarks>
/// Text a peer chose (user and zone names, reasons that quote them or come from the peer) reaches a log only through
/// <see cref="LogText.Escape"/>, applied here: such events are public wrappers around a private generated method.
/// </remarks>
internal static partial class MigrationLog
{
    // The escaping wrappers below check IsEnabled before escaping; CA1873 does not recognise that guard for a generated method.
#pragma warning disable CA1873
    [LoggerMessage(1, LogLevel.Information, "Control service listening on {EndPoint}")]
    public static partial void ControlServiceListening(ILogger logger, EndPoint? endPoint);

    // Event 2 (a line per refused control connection) is retired: refusals are summarized by event 40.

    public static void HandshakeFailed(ILogger logger, EndPoint? remote, string reason)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            WriteHandshakeFailed(logger, remote, LogText.Escape(reason, LogText.MaxReasonLength));
        }
    }

    public static void AuthenticationFailed(ILogger logger, string user, EndPoint? remote, int failures, double delayMs)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            WriteAuthenticationFailed(logger, LogText.Escape(user), remote, failures, delayMs);
        }
    }

    public static void AuthenticationSucceeded(ILogger logger, string user, EndPoint? remote, string method)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            WriteAuthenticationSucceeded(logger, LogText.Escape(user), remote, method);
        }
    }

    public static void AuthorizationRefused(ILogger logger, string user, EndPoint? remote)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            WriteAuthorizationRefused(logger, LogText.Escape(user), remote);
        }
    }

    [LoggerMessage(7, LogLevel.Error, "Control connection handler for {Remote} failed")]
    public static partial void HandlerFailed(ILogger logger, EndPoint? remote, Exception exception);

    [LoggerMessage(8, LogLevel.Information, "Generated server identity in {Directory} with fingerprint {Fingerprint}")]
    public static partial void ServerIdentityGenerated(ILogger logger, string directory, string fingerprint);

    [LoggerMessage(9, LogLevel.Warning, "Pinned the certificate of {Host} on first use: {Fingerprint}")]
    public static partial void HostPinnedOnFirstUse(ILogger logger, string host, string fingerprint);

    [LoggerMessage(10, LogLevel.Information, "Control service stopped")]
    public static partial void ControlServiceStopped(ILogger logger);

    [LoggerMessage(20, LogLevel.Information, "Migration of zone '{Zone}' to {Destination} started")]
    public static partial void MigrationStarted(ILogger logger, string zone, string destination);

    [LoggerMessage(21, LogLevel.Debug, "Migration {MigrationId}: round {Round} sent {DataPages} data and {ZeroPages} zero pages ({WireBytes} bytes) in {DurationMs:0.0} ms; {DirtyPages} pages dirtied meanwhile")]
    public static partial void RoundSent(ILogger logger, Guid migrationId, int round, long dataPages, long zeroPages, long wireBytes, double durationMs, long dirtyPages);

    [LoggerMessage(22, LogLevel.Information, "Migration {MigrationId} of zone '{Zone}' succeeded: {TotalMs:0} ms in total, {DowntimeMs:0.0} ms downtime, {Rounds} rounds, {WireBytes} bytes sent")]
    public static partial void MigrationSucceeded(ILogger logger, Guid migrationId, string zone, double totalMs, double downtimeMs, int rounds, long wireBytes);

    public static void MigrationFailed(ILogger logger, string zone, MigrationFailureKind kind, string reason)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            WriteMigrationFailed(logger, LogText.Escape(zone), kind, LogText.Escape(reason, LogText.MaxReasonLength));
        }
    }

    [LoggerMessage(24, LogLevel.Error, "Migration {MigrationId} of zone '{Zone}' is in doubt: the commit was sent but not acknowledged; ask the destination before touching the zone")]
    public static partial void MigrationInDoubt(ILogger logger, Guid migrationId, string zone);

    [LoggerMessage(25, LogLevel.Information, "Migration {MigrationId} of zone '{Zone}': {Action}")]
    public static partial void LimitReached(ILogger logger, Guid migrationId, string zone, string action);

    public static void IncomingMigration(ILogger logger, string zone, string user, EndPoint? remote)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            WriteIncomingMigration(logger, LogText.Escape(zone), LogText.Escape(user), remote);
        }
    }

    public static void IncomingResumed(ILogger logger, Guid migrationId, string zone)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            WriteIncomingResumed(logger, migrationId, LogText.Escape(zone));
        }
    }

    public static void IncomingDiscarded(ILogger logger, string zone)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            WriteIncomingDiscarded(logger, LogText.Escape(zone));
        }
    }

    public static void IncomingGuestRunning(ILogger logger, string zone, double readyAfterMs)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            WriteIncomingGuestRunning(logger, LogText.Escape(zone), readyAfterMs);
        }
    }

    public static void IncomingGuestPaused(ILogger logger, string zone, double leaseMs)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            WriteIncomingGuestPaused(logger, LogText.Escape(zone), leaseMs);
        }
    }

    public static void ResumeDeferred(ILogger logger, string zone, double waitMs)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            WriteResumeDeferred(logger, LogText.Escape(zone), waitMs);
        }
    }

    public static void AuthenticationThrottled(ILogger logger, string user, EndPoint? remote, string reason)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            WriteAuthenticationThrottled(logger, LogText.Escape(user), remote, LogText.Escape(reason, LogText.MaxReasonLength));
        }
    }

#pragma warning restore CA1873

    [LoggerMessage(51, LogLevel.Warning, "The server identity in {Directory} expires on {NotAfter:yyyy-MM-dd} (in {Days} days); rotate it before then (see the README's security model), or it is replaced by a new one at the first start after it has expired")]
    public static partial void ServerIdentityExpiresSoon(ILogger logger, string directory, DateTime notAfter, int days);

    [LoggerMessage(52, LogLevel.Warning, "The server identity in {Directory} expired on {NotAfter:yyyy-MM-dd}; generated a new one with fingerprint {Fingerprint} (was {OldFingerprint}). Sources that pinned the old one refuse this host until their known-hosts line is replaced with the new fingerprint")]
    public static partial void ServerIdentityRenewed(ILogger logger, string directory, DateTime notAfter, string fingerprint, string oldFingerprint);

    [LoggerMessage(53, LogLevel.Warning, "The control service has no users: every authentication will fail (add users to the users file)")]
    public static partial void NoUsers(ILogger logger);

    [LoggerMessage(54, LogLevel.Warning, "The users file {Path} is readable by others (mode {Mode}); its password verifiers can be attacked offline: chmod o-r {Path}")]
    public static partial void UsersFileReadableByOthers(ILogger logger, string path, string mode);

    [LoggerMessage(EventId = 3, EventName = nameof(HandshakeFailed), Level = LogLevel.Warning, Message = "Control handshake with {Remote} failed: {Reason}")]
    private static partial void WriteHandshakeFailed(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(EventId = 4, EventName = nameof(AuthenticationFailed), Level = LogLevel.Warning,
        Message = "Authentication failed for user '{User}' from {Remote} ({Failures} consecutive failures from this address; it is refused for the next {DelayMs} ms)")]
    private static partial void WriteAuthenticationFailed(ILogger logger, string user, EndPoint? remote, int failures, double delayMs);

    [LoggerMessage(EventId = 5, EventName = nameof(AuthenticationSucceeded), Level = LogLevel.Information, Message = "User '{User}' authenticated from {Remote} by {Method}")]
    private static partial void WriteAuthenticationSucceeded(ILogger logger, string user, EndPoint? remote, string method);

    [LoggerMessage(EventId = 6, EventName = nameof(AuthorizationRefused), Level = LogLevel.Warning, Message = "User '{User}' from {Remote} is not authorized to migrate zones into this host")]
    private static partial void WriteAuthorizationRefused(ILogger logger, string user, EndPoint? remote);

    [LoggerMessage(EventId = 23, EventName = nameof(MigrationFailed), Level = LogLevel.Warning,
        Message = "Migration of zone '{Zone}' failed ({Kind}) and was rolled back; the zone runs on the source: {Reason}")]
    private static partial void WriteMigrationFailed(ILogger logger, string zone, MigrationFailureKind kind, string reason);

    [LoggerMessage(EventId = 26, EventName = nameof(IncomingMigration), Level = LogLevel.Information, Message = "Incoming migration of zone '{Zone}' from user '{User}' at {Remote}")]
    private static partial void WriteIncomingMigration(ILogger logger, string zone, string user, EndPoint? remote);

    [LoggerMessage(EventId = 27, EventName = nameof(IncomingResumed), Level = LogLevel.Information, Message = "Incoming migration {MigrationId} of zone '{Zone}' committed; the zone runs here")]
    private static partial void WriteIncomingResumed(ILogger logger, Guid migrationId, string zone);

    [LoggerMessage(EventId = 28, EventName = nameof(IncomingDiscarded), Level = LogLevel.Warning, Message = "Incoming migration of zone '{Zone}' discarded; this host is as it was before")]
    private static partial void WriteIncomingDiscarded(ILogger logger, string zone);

    [LoggerMessage(EventId = 29, EventName = nameof(IncomingGuestRunning), Level = LogLevel.Information, Message = "Incoming zone '{Zone}' runs here before the commit: its guest gave its first sign of life {ReadyAfterMs:0.0} ms after its vCPUs started")]
    private static partial void WriteIncomingGuestRunning(ILogger logger, string zone, double readyAfterMs);

    [LoggerMessage(EventId = 30, EventName = nameof(IncomingGuestPaused), Level = LogLevel.Warning, Message = "Incoming zone '{Zone}': no commit within the {LeaseMs:0} ms its guest may run before it; the guest is paused until the commit, or destroyed")]
    private static partial void WriteIncomingGuestPaused(ILogger logger, string zone, double leaseMs);

    [LoggerMessage(EventId = 31, EventName = nameof(ResumeDeferred), Level = LogLevel.Warning, Message = "Zone '{Zone}': the destination did not confirm that it stopped the guest it may have started; the zone resumes here in {WaitMs:0} ms, once that guest can no longer run")]
    private static partial void WriteResumeDeferred(ILogger logger, string zone, double waitMs);

    [LoggerMessage(EventId = 50, EventName = nameof(AuthenticationThrottled), Level = LogLevel.Warning,
        Message = "Refused an authentication attempt as '{User}' from {Remote} without checking it: {Reason}")]
    private static partial void WriteAuthenticationThrottled(ILogger logger, string user, EndPoint? remote, string reason);

    [LoggerMessage(60, LogLevel.Error, "Incoming migration of zone '{Zone}' was discarded, but its durable record could not be taken back; the zone may reappear, configured, after a restart of this host")]
    public static partial void ZoneRecordNotRestored(ILogger logger, string zone, Exception exception);

    [LoggerMessage(40, LogLevel.Warning, "Control service turned away {Count} connections in {WindowSeconds:0.#} s: {AddressLimit} refused at the per-address limit, {PrefixLimit} refused at the per-prefix limit, {Full} refused with every slot protected, {Shed} shed to make room; most from {TopAddress} ({TopCount})")]
    public static partial void ConnectionsTurnedAway(ILogger logger, int count, double windowSeconds, int addressLimit, int prefixLimit, int full, int shed, IPAddress? topAddress, int topCount);

    /// <summary>The engine's log category, for both sides.</summary>
    public const string EngineCategory = "KernelZones.Migration.Engine";
}
