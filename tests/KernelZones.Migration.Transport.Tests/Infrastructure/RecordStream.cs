using System.Buffers;
using KernelZones.Migration.Transport.Framing;

namespace KernelZones.Migration.Transport.Tests.Infrastructure;

/// <summary>Writes record streams and reads them back the way a stripe's receive loop does.</summary>
internal static class RecordStream
{
    public sealed record Opened(RecordHeader Header, byte[] Payload);

    public static byte[] Write(RecordSealer sealer, IEnumerable<(RecordType Type, long Position, byte[] Payload)> records, bool end = true)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (type, position, payload) in records)
        {
            sealer.Seal(output, type, position, payload);
        }

        if (end)
        {
            sealer.SealEndOfStream(output);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Opens every complete record of <paramref name="input"/>, then declares the input finished.</summary>
    public static List<Opened> ReadAll(RecordOpener opener, ReadOnlySequence<byte> input)
    {
        var opened = new List<Opened>();
        while (opener.TryReadHeader(input, out RecordHeader header))
        {
            int length = opener.GetRecordLength(header);
            if (input.Length < length)
            {
                break;
            }

            var payload = new byte[header.PayloadLength];
            opener.Open(input, header, payload);
            opened.Add(new Opened(header, payload));
            input = input.Slice(length);
        }

        opener.Complete(input.Length);
        return opened;
    }
}
