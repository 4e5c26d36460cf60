using KernelZones.Migration.Lifecycle;
using Microsoft.Extensions.Logging;

namespace KernelZones.Samples.ReceiverHost;

/// <summary>The receiver host's own log messages, with stable event ids.</summary>
internal static partial class ReceiverLog
{
    [LoggerMessage(1, LogLevel.Information, "Zone '{Zone}' configured from {File} (detached: a guest does not survive a restart)")]
    public static partial void ZoneRestored(ILogger logger, string zone, string file);

    [LoggerMessage(2, LogLevel.Information, "Zone '{Zone}': {Previous} -> {Current} ({Operation})")]
    public static partial void ZoneChanged(ILogger logger, string zone, ZoneStatus previous, ZoneStatus current, ZoneOperation operation);

    [LoggerMessage(3, LogLevel.Information, "Zone '{Zone}' is running on this host (migrated in); configuration in {File}")]
    public static partial void ZoneMigratedIn(ILogger logger, string zone, string file);

    [LoggerMessage(4, LogLevel.Information, "Zone '{Zone}': incoming migration discarded")]
    public static partial void MigrationDiscarded(ILogger logger, string zone);

    [LoggerMessage(5, LogLevel.Information, "Stopping: in-flight migrations abort, their sources keep their zones")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(6, LogLevel.Information, "Stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(7, LogLevel.Error, "Cannot write the status file {File} after a change of zone '{Zone}'")]
    public static partial void StatusFailed(ILogger logger, string zone, string file, Exception exception);

    [LoggerMessage(8, LogLevel.Information, "Zone '{Zone}' saved to {File} (durable before the commit)")]
    public static partial void ZoneSaved(ILogger logger, string zone, string file);

    [LoggerMessage(9, LogLevel.Error, "Cannot save zone '{Zone}' to {File}: the commit is refused, the zone keeps running on its source")]
    public static partial void ZoneSaveFailed(ILogger logger, string zone, string file, Exception exception);

    [LoggerMessage(10, LogLevel.Information, "Zone '{Zone}': saved configuration {File} removed (the migration was not committed)")]
    public static partial void ZoneRecordRemoved(ILogger logger, string zone, string file);

    [LoggerMessage(11, LogLevel.Information, "Zone '{Zone}' console: {Line}")]
    public static partial void GuestConsoleLine(ILogger logger, string zone, string line);

    [LoggerMessage(12, LogLevel.Error, "Zone '{Zone}': its guest stopped: {Reason}")]
    public static partial void GuestStopped(ILogger logger, string zone, string reason, Exception exception);
}
