using KernelZones.Migration.Control.Internal;
using MessagePack;

namespace KernelZones.Migration.Control;

/// <summary>Source to destination: the data connections are open; memory transfer (round 0) starts ("Starting migration.").</summary>
/// <param name="MigrationId">The migration this belongs to.</param>
internal sealed record StartTransfer(Guid MigrationId) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.StartTransfer;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        MessageFieldWriter.WriteGuid(ref writer, MigrationId);
    }

    internal static StartTransfer Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 1);
        var message = new StartTransfer(fields.ReadGuid());
        reader = fields.Finish();
        return message;
    }
}

/// <summary>
/// Source to destination: a pre-copy round finished; progress numbers for the destination's log and progress.
/// The destination acknowledges it once every stripe has delivered the round's end marker.
/// </summary>
/// <param name="Round">The round number, 0 for the full copy.</param>
/// <param name="PagesSent">Pages sent in this round.</param>
/// <param name="BytesSent">Bytes sent on the data connections in this round.</param>
/// <param name="DirtyPagesRemaining">Pages dirtied during the round, still to send.</param>
/// <param name="BytesRemaining">Bytes those pages amount to.</param>
internal sealed record RoundComplete(int Round, long PagesSent, long BytesSent, long DirtyPagesRemaining, long BytesRemaining) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.RoundComplete;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(5);
        writer.Write(Round);
        writer.Write(PagesSent);
        writer.Write(BytesSent);
        writer.Write(DirtyPagesRemaining);
        writer.Write(BytesRemaining);
    }

    internal static RoundComplete Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 5);
        var message = new RoundComplete(fields.ReadInt32(), fields.ReadInt64(), fields.ReadInt64(), fields.ReadInt64(), fields.ReadInt64());
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Source to destination: the zone is suspended on the source; the final round and device state follow ("Suspending zone on source host.").</summary>
/// <param name="MigrationId">The migration this belongs to.</param>
internal sealed record Switchover(Guid MigrationId) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.Switchover;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        MessageFieldWriter.WriteGuid(ref writer, MigrationId);
    }

    internal static Switchover Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 1);
        var message = new Switchover(fields.ReadGuid());
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Destination to source: what arrived, so the source can compare before it commits.</summary>
/// <param name="PageCount">Pages the destination holds.</param>
/// <param name="Digest">A digest of the destination's copy of guest memory (at most 64 bytes).</param>
/// <param name="Started">For a guest the destination started before this answer (see <see cref="Guests.IGuestReadiness"/>):
/// how long it had run when the answer was sent, and how long after its start it gave its first sign of life; null
/// when its vCPUs start only at the commit. Two trailing fields on the wire (microseconds), left out when null:
/// earlier versions skip them.</param>
internal sealed record VerifyResult(long PageCount, byte[] Digest, GuestStart? Started = null) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.VerifyResult;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(Started is null ? 2 : 4);
        writer.Write(PageCount);
        writer.Write(Digest);
        if (Started is { } started)
        {
            writer.Write((long)started.Running.TotalMicroseconds);
            writer.Write((long)started.ReadyAfter.TotalMicroseconds);
        }
    }

    internal static VerifyResult Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 2);
        var message = new VerifyResult(fields.ReadInt64(), fields.ReadBytes(64));
        if (count >= 4)
        {
            long running = fields.ReadInt64();
            long readyAfter = fields.ReadInt64();
            if (running < 0 || readyAfter < 0 || readyAfter > running)
            {
                throw fields.Field($"holds a guest start that is not a duration ({running} µs running, ready after {readyAfter} µs)");
            }

            message = message with { Started = new GuestStart(TimeSpan.FromMicroseconds(running), TimeSpan.FromMicroseconds(readyAfter)) };
        }

        reader = fields.Finish();
        return message;
    }
}

/// <summary>A guest the destination started before its verdict.</summary>
/// <param name="Running">From the start of its vCPUs to the verdict.</param>
/// <param name="ReadyAfter">From the start of its vCPUs to its first sign of life.</param>
internal readonly record struct GuestStart(TimeSpan Running, TimeSpan ReadyAfter);

/// <summary>Source to destination: the commit point; the destination now owns the zone and resumes it (or lets the guest it started before its verdict run on).</summary>
/// <param name="MigrationId">The migration this belongs to.</param>
internal sealed record Commit(Guid MigrationId) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.Commit;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        MessageFieldWriter.WriteGuid(ref writer, MigrationId);
    }

    internal static Commit Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 1);
        var message = new Commit(fields.ReadGuid());
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Destination to source: the zone runs on the destination (acknowledges <see cref="Commit"/>).</summary>
/// <param name="MigrationId">The migration this belongs to.</param>
internal sealed record Resumed(Guid MigrationId) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.Resumed;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        MessageFieldWriter.WriteGuid(ref writer, MigrationId);
    }

    internal static Resumed Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 1);
        var message = new Resumed(fields.ReadGuid());
        reader = fields.Finish();
        return message;
    }
}
