using System.Net;
using Microsoft.Extensions.Logging;

namespace KernelZones.Migration.Diagnostics;

/// <summary>Every log message of this assembly, source-generated, with stable event ids (never renumber).</summary>
internal static partial class MigrationLog
{
    [LoggerMessage(1, LogLevel.Information, "Control service listening on {EndPoint}")]
    public static partial void ControlServiceListening(ILogger logger, EndPoint? endPoint);

    [LoggerMessage(2, LogLevel.Warning, "Refused control connection from {Remote}: {Limit} handshakes already pending")]
    public static partial void HandshakeLimitReached(ILogger logger, EndPoint? remote, int limit);

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
}
