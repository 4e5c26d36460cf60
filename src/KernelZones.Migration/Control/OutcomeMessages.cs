using KernelZones.Migration.Control.Internal;
using MessagePack;

namespace KernelZones.Migration.Control;

/// <summary>Either side: the migration is cancelled; the receiver undoes what it did for it.</summary>
/// <param name="Reason">Why, for the operator.</param>
internal sealed record Abort(string Reason) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.Abort;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Reason);
    }

    internal static Abort Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 1);
        var message = new Abort(fields.ReadString(4096));
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Either side: a request failed; the sender closes the connection after it when the failure is fatal.</summary>
/// <param name="Failure">What went wrong.</param>
/// <param name="Message">The operator-facing explanation.</param>
internal sealed record ErrorMessage(MigrationFailureKind Failure, string Message) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.Error;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write((int)Failure);
        writer.Write(Message);
    }

    internal static ErrorMessage Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 2);
        int failure = fields.ReadInt32();
        var message = new ErrorMessage(
            Enum.IsDefined((MigrationFailureKind)failure) ? (MigrationFailureKind)failure : MigrationFailureKind.Unknown,
            fields.ReadString(8192));
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Source to destination, on a new connection after a failure near the commit point: what became of this migration?</summary>
/// <param name="MigrationId">The migration this belongs to.</param>
internal sealed record QueryIncomingState(Guid MigrationId) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.QueryIncomingState;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        MessageFieldWriter.WriteGuid(ref writer, MigrationId);
    }

    internal static QueryIncomingState Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 1);
        var message = new QueryIncomingState(fields.ReadGuid());
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Destination to source: the answer to <see cref="QueryIncomingState"/>.</summary>
/// <param name="MigrationId">The migration asked about.</param>
/// <param name="State">What the destination knows of it.</param>
internal sealed record IncomingState(Guid MigrationId, IncomingMigrationState State) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.IncomingState;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        MessageFieldWriter.WriteGuid(ref writer, MigrationId);
        writer.Write((int)State);
    }

    internal static IncomingState Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 2);
        Guid id = fields.ReadGuid();
        int state = fields.ReadInt32();
        reader = fields.Finish();
        return new IncomingState(id, Enum.IsDefined((IncomingMigrationState)state) ? (IncomingMigrationState)state : IncomingMigrationState.Unknown);
    }
}
