using System.Buffers.Binary;

namespace KernelZones.Migration.Transport.Framing;

/// <summary>
/// The fixed 24-byte header that precedes every record on the wire and is its associated data:
/// <c>type:1 flags:1 reserved:2 length:4 sequence:8 label:8</c>, integers big-endian.
/// </summary>
/// <remarks>
/// <see cref="Label"/> is the caller's 64-bit label for the payload (a guest-physical address for
/// page data) so that a receiver can choose where to open the payload before it decrypts it.
/// </remarks>
public readonly struct RecordHeader : IEquatable<RecordHeader>
{
    /// <summary>The header size in bytes.</summary>
    public const int Size = 24;

    /// <summary>Creates a header.</summary>
    /// <param name="type">The record type.</param>
    /// <param name="flags">Flags of the layer above; the framing does not interpret them.</param>
    /// <param name="payloadLength">The plaintext length in bytes (the ciphertext has the same length).</param>
    /// <param name="sequence">The record's sequence number within its stream.</param>
    /// <param name="label">The caller's 64-bit label for the payload.</param>
    public RecordHeader(RecordType type, byte flags, int payloadLength, ulong sequence, long label)
    {
        Type = type;
        Flags = flags;
        PayloadLength = payloadLength;
        Sequence = sequence;
        Label = label;
    }

    /// <summary>The record type.</summary>
    public RecordType Type { get; }

    /// <summary>Flags of the layer above.</summary>
    public byte Flags { get; }

    /// <summary>The payload length in bytes, excluding header and tag.</summary>
    public int PayloadLength { get; }

    /// <summary>The record's sequence number: 0 for the first record of a stream, then +1 each record.</summary>
    public ulong Sequence { get; }

    /// <summary>The caller's 64-bit label for the payload (for page data, a guest-physical byte address).</summary>
    public long Label { get; }

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="Size"/> bytes.</param>
    public void Write(Span<byte> destination)
    {
        destination = destination[..Size];
        destination[0] = (byte)Type;
        destination[1] = Flags;
        destination[2] = 0;
        destination[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)PayloadLength);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Sequence);
        BinaryPrimitives.WriteInt64BigEndian(destination[16..], Label);
    }

    /// <inheritdoc/>
    public bool Equals(RecordHeader other) =>
        Type == other.Type && Flags == other.Flags && PayloadLength == other.PayloadLength &&
        Sequence == other.Sequence && Label == other.Label;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RecordHeader other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, Flags, PayloadLength, Sequence, Label);

    /// <inheritdoc/>
    public override string ToString() => $"{Type} #{Sequence} ({PayloadLength} bytes, label {Label})";

    /// <summary>Compares two headers for equality.</summary>
    public static bool operator ==(RecordHeader left, RecordHeader right) => left.Equals(right);

    /// <summary>Compares two headers for inequality.</summary>
    public static bool operator !=(RecordHeader left, RecordHeader right) => !left.Equals(right);
}
