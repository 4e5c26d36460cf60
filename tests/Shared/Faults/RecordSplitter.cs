using System.Buffers.Binary;

namespace KernelZones.Testing.Faults;

/// <summary>Cuts one direction of a byte stream into whole records, whatever the TCP segmentation.</summary>
internal sealed class RecordSplitter(RecordFraming framing, int firstRecordLength, int stripeTagSize)
{
    private const int StripeHeader = 24;
    private byte[] _buffer = new byte[128 * 1024];
    private int _count;
    private bool _first = true;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_count + bytes.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _count + bytes.Length));
        }

        bytes.CopyTo(_buffer.AsSpan(_count));
        _count += bytes.Length;
    }

    /// <summary>The next whole record, or null when more bytes are needed.</summary>
    public byte[]? TryTake()
    {
        int length = NextLength();
        if (length <= 0 || _count < length)
        {
            return null;
        }

        byte[] record = _buffer.AsSpan(0, length).ToArray();
        _buffer.AsSpan(length, _count - length).CopyTo(_buffer);
        _count -= length;
        _first = false;
        return record;
    }

    /// <summary>Whatever is buffered, whole or not (at the end of the stream).</summary>
    public byte[] TakeRest()
    {
        byte[] rest = _buffer.AsSpan(0, _count).ToArray();
        _count = 0;
        return rest;
    }

    /// <summary>The record's type and flags as the proxy reports them.</summary>
    public static (byte Type, byte Flags, long Position) Describe(RecordFraming framing, bool first, ReadOnlySpan<byte> record) =>
        framing == RecordFraming.Tls ? (record[0], (byte)0, -1) : first ? ((byte)0, (byte)0, -1) : (record[0], record[1], BinaryPrimitives.ReadInt64BigEndian(record[16..]));

    /// <summary>The offset of a byte inside the record's authenticated body, for corruption.</summary>
    public static int BodyOffset(RecordFraming framing, bool first, int length, int stripeTagSize) =>
        framing == RecordFraming.Tls ? 5 + (length - 5) / 2 : first ? length - 1 : Math.Max(StripeHeader, length - stripeTagSize - 1);

    private int NextLength()
    {
        if (framing == RecordFraming.Stripe && _first)
        {
            return firstRecordLength;
        }

        if (framing == RecordFraming.Tls)
        {
            return _count < 5 ? 0 : 5 + BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(3));
        }

        return _count < StripeHeader ? 0 : StripeHeader + (int)BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(4)) + stripeTagSize;
    }
}
