using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KernelZones.Migration.Transport;

/// <summary>Every log line of the transport, with stable event ids (1xxx). Never one per record.</summary>
internal static partial class TransportLog
{
    public const string Category = "KernelZones.Migration.Transport";

    public static ILogger CreateLogger(ILoggerFactory? factory) => (factory ?? NullLoggerFactory.Instance).CreateLogger(Category);

    [LoggerMessage(1001, LogLevel.Information, "Data service listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, string? endPoint);

    [LoggerMessage(1002, LogLevel.Debug, "Transfer {MigrationId}: stripe {Stripe} connected from {RemoteEndPoint}")]
    public static partial void StripeConnected(ILogger logger, Guid migrationId, int stripe, string? remoteEndPoint);

    [LoggerMessage(1003, LogLevel.Warning, "Data connection from {RemoteEndPoint} rejected: {Reason}")]
    public static partial void HandshakeRejected(ILogger logger, string? remoteEndPoint, string reason);

    [LoggerMessage(1004, LogLevel.Warning, "Transfer {MigrationId} aborted: {Reason}")]
    public static partial void TransferAborted(ILogger logger, Guid migrationId, string reason);

    [LoggerMessage(1005, LogLevel.Error, "Data service accept loop failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);
}
