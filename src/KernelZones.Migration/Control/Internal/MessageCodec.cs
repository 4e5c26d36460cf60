using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace KernelZones.Migration.Control.Internal;

/// <summary>
/// Encodes a <see cref="ControlMessage"/> as a frame, a 4-byte big-endian body length and a
/// MessagePack union body <c>[kind, [fields...]]</c>, and decodes bodies from untrusted peers.
/// </summary>
internal static class MessageCodec
{
    /// <summary>The frame header size in bytes.</summary>
    public const int HeaderSize = 4;

    // UntrustedData bounds the nesting depth of what we read (MessagePack's own hash-collision and depth guards).
    private static readonly MessagePackSerializerOptions s_options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Writes one whole frame (header and body) into <paramref name="output"/>.</summary>
    /// <returns>The body length.</returns>
    public static int WriteFrame(ControlMessage message, ArrayBufferWriter<byte> output)
    {
        output.GetSpan(HeaderSize);
        output.Advance(HeaderSize);
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(2);
        writer.Write((int)message.Kind);
        message.WriteBody(ref writer);
        writer.Flush();
        int bodyLength = output.WrittenCount - HeaderSize;
        BinaryPrimitives.WriteInt32BigEndian(MemoryMarshalSpan(output), bodyLength);
        return bodyLength;
    }

    /// <summary>Decodes one body; every malformation becomes a <see cref="MigrationException"/> of kind <see cref="MigrationFailureKind.Protocol"/>.</summary>
    public static ControlMessage Decode(ReadOnlyMemory<byte> body)
    {
        try
        {
            var reader = new MessagePackReader(body);
            s_options.Security.DepthStep(ref reader);
            if (reader.ReadArrayHeader() != 2)
            {
                throw Malformed("the body is not a [kind, fields] pair");
            }

            var kind = (MessageKind)reader.ReadInt32();
            ControlMessage message = ControlMessage.ReadBody(kind, ref reader);
            return reader.End ? message : throw Malformed($"{reader.Sequence.Length - reader.Consumed} bytes follow the {kind} message");
        }
        catch (MigrationException)
        {
            throw;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw Malformed(e.Message, e);
        }
    }

    /// <summary>The exception for a body that is not a valid message.</summary>
    public static MigrationException Malformed(string problem, Exception? inner = null) =>
        new(MigrationFailureKind.Protocol, $"malformed control message: {problem}", inner);

    private static Span<byte> MemoryMarshalSpan(ArrayBufferWriter<byte> output) =>
        System.Runtime.InteropServices.MemoryMarshal.AsMemory(output.WrittenMemory).Span[..HeaderSize];
}
