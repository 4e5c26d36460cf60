using System.Buffers;

namespace KernelZones.Migration.Transport.Tests.Infrastructure;

/// <summary>Builds multi-segment sequences so that parsers meet every way a pipe can split the bytes.</summary>
internal static class Sequences
{
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, IEnumerable<int> cuts)
    {
        int[] points = cuts.Where(c => c > 0 && c < data.Length).Distinct().Order().ToArray();
        if (points.Length == 0)
        {
            return new ReadOnlySequence<byte>(data);
        }

        Segment first = new(data[..points[0]], 0);
        Segment last = first;
        for (int i = 0; i < points.Length; i++)
        {
            int end = i + 1 < points.Length ? points[i + 1] : data.Length;
            last = last.Append(data[points[i]..end]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static int[] RandomCuts(Random random, int length, int count) =>
        Enumerable.Range(0, count).Select(_ => random.Next(1, Math.Max(2, length))).ToArray();

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
