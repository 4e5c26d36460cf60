using System.Runtime.InteropServices;

namespace KernelZones.Benchmarks.Transport;

/// <summary>
/// A native buffer that stands in for memory of any size: logical offsets wrap around it, so a 4 GiB transfer
/// runs through a 256 MiB window of random (incompressible) bytes.
/// </summary>
internal sealed unsafe class RingMemory : IDisposable
{
    private readonly byte* _base;

    public RingMemory(long length, bool random)
    {
        Length = length;
        _base = (byte*)NativeMemory.AlignedAlloc((nuint)length, 4096);
        var span = new Span<byte>(_base, (int)Math.Min(length, int.MaxValue));
        if (random)
        {
            new Random(1234).NextBytes(span);
        }
        else
        {
            span.Clear();
        }
    }

    public long Length { get; }

    /// <summary>The <paramref name="length"/> bytes at logical <paramref name="offset"/>; records never straddle the wrap.</summary>
    public Span<byte> At(long offset, int length) => new(_base + (offset % Length), length);

    public void Dispose() => NativeMemory.AlignedFree(_base);
}
