namespace KernelZones.Migration.Control.Internal;

/// <summary>Turns "the next message must be a T" into a typed message or our exception, telling the peer when it broke the protocol.</summary>
internal static class MessageExpectation
{
    public static async ValueTask<T> ExpectAsync<T>(MessageChannel channel, ControlMessage message, string peer, TimeSpan timeout, CancellationToken cancellationToken)
        where T : ControlMessage
    {
        switch (message)
        {
            case T expected:
                return expected;
            case ErrorMessage error:
                throw new MigrationException(error.Failure, $"{peer}: {error.Message}");
            case Abort abort:
                throw new MigrationException(MigrationFailureKind.Aborted, $"{peer} aborted the migration: {abort.Reason}");
            default:
                var violation = new MigrationException(
                    MigrationFailureKind.Protocol,
                    $"protocol violation: expected a {typeof(T).Name} message, received {message.Kind}");
                await TrySendErrorAsync(channel, violation, timeout, cancellationToken).ConfigureAwait(false);
                throw violation;
        }
    }

    public static async ValueTask TrySendErrorAsync(MessageChannel channel, MigrationException error, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await channel.SendAsync(new ErrorMessage(error.Kind, error.Message), timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MigrationException or OperationCanceledException)
        {
            // The connection is being torn down because of `error`; that is the reason to report, not this one.
        }
    }
}
