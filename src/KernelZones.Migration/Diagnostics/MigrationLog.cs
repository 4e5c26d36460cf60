using System.Net;
using Microsoft.Extensions.Logging;

namespace KernelZones.Migration.Diagnostics;

/// <summary>Every log message of this assembly, source-generated, with stable event ids (never renumber).</summary>
internal static partial class MigrationLog
{
    [LoggerMessage(1, LogLevel.Information, "Control service listening on {EndPoint}")]
    public static partial void ControlServiceListening(ILogger logger, EndPoint? endPoint);

    // Event 2 (a line per refused control connection) is retired: refusals are summarized by event 40.

    [LoggerMessage(3, LogLevel.Warning, "Control handshake with {Remote} failed: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Authentication failed for user '{User}' from {Remote} ({Failures} consecutive failures from this address; answering after {DelayMs} ms)")]
    public static partial void AuthenticationFailed(ILogger logger, string user, EndPoint? remote, int failures, double delayMs);

    [LoggerMessage(5, LogLevel.Information, "User '{User}' authenticated from {Remote} by {Method}")]
    public static partial void AuthenticationSucceeded(ILogger logger, string user, EndPoint? remote, string method);

    [LoggerMessage(6, LogLevel.Warning, "User '{User}' from {Remote} is not authorized to migrate zones into this host")]
    public static partial void AuthorizationRefused(ILogger logger, string user, EndPoint? remote);

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

    [LoggerMessage(23, LogLevel.Warning, "Migration of zone '{Zone}' failed ({Kind}) and was rolled back; the zone runs on the source: {Reason}")]
    public static partial void MigrationFailed(ILogger logger, string zone, MigrationFailureKind kind, string reason);

    [LoggerMessage(24, LogLevel.Error, "Migration {MigrationId} of zone '{Zone}' is in doubt: the commit was sent but not acknowledged; ask the destination before touching the zone")]
    public static partial void MigrationInDoubt(ILogger logger, Guid migrationId, string zone);

    [LoggerMessage(25, LogLevel.Information, "Migration {MigrationId} of zone '{Zone}': {Action}")]
    public static partial void LimitReached(ILogger logger, Guid migrationId, string zone, string action);

    [LoggerMessage(26, LogLevel.Information, "Incoming migration of zone '{Zone}' from user '{User}' at {Remote}")]
    public static partial void IncomingMigration(ILogger logger, string zone, string user, EndPoint? remote);

    [LoggerMessage(27, LogLevel.Information, "Incoming migration {MigrationId} of zone '{Zone}' committed; the zone runs here")]
    public static partial void IncomingResumed(ILogger logger, Guid migrationId, string zone);

    [LoggerMessage(28, LogLevel.Warning, "Incoming migration of zone '{Zone}' discarded; this host is as it was before")]
    public static partial void IncomingDiscarded(ILogger logger, string zone);

    [LoggerMessage(40, LogLevel.Warning, "Control service turned away {Count} connections in {WindowSeconds:0.#} s: {AddressLimit} refused at the per-address limit, {PrefixLimit} refused at the per-prefix limit, {Full} refused with every slot protected, {Shed} shed to make room; most from {TopAddress} ({TopCount})")]
    public static partial void ConnectionsTurnedAway(ILogger logger, int count, double windowSeconds, int addressLimit, int prefixLimit, int full, int shed, IPAddress? topAddress, int topCount);

    /// <summary>The engine's log category, for both sides.</summary>
    public const string EngineCategory = "KernelZones.Migration.Engine";
}
