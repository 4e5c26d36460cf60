using System.Globalization;
using KernelZones.Migration.Control.Internal;
using MessagePack;

namespace KernelZones.Migration.Control;

/// <summary>Source to destination: choose the data cipher and stripe count and create the session keys.</summary>
/// <param name="RequestedCipher">The cipher the operator asked for with <c>-c</c>, or <see langword="null"/> to let the hosts choose.</param>
/// <param name="StripeCap">The most data connections the source wants; 0 means no cap beyond the CPU counts.</param>
/// <param name="MemoryBytes">The zone's memory size in bytes; sets the stripe count (one per 2 GiB).</param>
internal sealed record Negotiate(string? RequestedCipher, int StripeCap, long MemoryBytes) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.Negotiate;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.Write(RequestedCipher);
        writer.Write(StripeCap);
        writer.Write(MemoryBytes);
    }

    internal static Negotiate Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 3);
        var message = new Negotiate(fields.ReadNullableString(64), fields.ReadInt32(), fields.ReadInt64());
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Destination to source: the agreed data-transfer session.</summary>
/// <param name="Cipher">The chosen cipher name.</param>
/// <param name="StripeCount">The number of data connections.</param>
/// <param name="MigrationId">A fresh random identifier of this migration.</param>
/// <param name="SessionSecret">32 fresh random bytes from which the transport derives every stripe key; secret.</param>
/// <param name="DataPort">The destination's data service TCP port.</param>
/// <param name="GuestRunLimit">For a guest the destination will start before the commit (see <see cref="Guests.IGuestReadiness"/>):
/// the longest it lets that guest run without hearing the commit, counted from its answer to the source's last
/// pre-copy round (it pauses the guest then); null when it starts the guest only at the commit. One trailing field on
/// the wire (microseconds), left out when null: earlier versions skip it.</param>
internal sealed record NegotiateResult(string Cipher, int StripeCount, Guid MigrationId, byte[] SessionSecret, int DataPort, TimeSpan? GuestRunLimit = null) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.NegotiateResult;

    /// <summary>The longest <see cref="GuestRunLimit"/> a source accepts: it may wait that long before it resumes its zone.</summary>
    public static readonly TimeSpan MaxGuestRunLimit = TimeSpan.FromHours(1);

    /// <summary>The message without the session secret, so that it never reaches a log.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"NegotiateResult {{ Cipher = {Cipher}, StripeCount = {StripeCount}, MigrationId = {MigrationId}, DataPort = {DataPort}, GuestRunLimit = {GuestRunLimit} }}");

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(GuestRunLimit is null ? 5 : 6);
        writer.Write(Cipher);
        writer.Write(StripeCount);
        MessageFieldWriter.WriteGuid(ref writer, MigrationId);
        writer.Write(SessionSecret);
        writer.Write(DataPort);
        if (GuestRunLimit is { } limit)
        {
            writer.Write((long)limit.TotalMicroseconds);
        }
    }

    internal static NegotiateResult Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 5);
        var message = new NegotiateResult(fields.ReadString(64), fields.ReadInt32(), fields.ReadGuid(), fields.ReadBytes(64), fields.ReadInt32());
        if (count >= 6)
        {
            long limit = fields.ReadInt64();
            if (limit <= 0 || limit > (long)MaxGuestRunLimit.TotalMicroseconds)
            {
                throw fields.Field($"holds a guest run limit of {limit} µs, not a positive duration of at most {MaxGuestRunLimit.TotalMinutes:0} minutes");
            }

            message = message with { GuestRunLimit = TimeSpan.FromMicroseconds(limit) };
        }

        reader = fields.Finish();
        return message;
    }
}
