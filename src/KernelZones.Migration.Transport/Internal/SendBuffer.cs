namespace KernelZones.Migration.Transport;

/// <summary>
/// A stripe's send buffer: one fixed, pinned array that the sending thread seals records into (header, ciphertext
/// and tag in place, as an <see cref="System.Buffers.IBufferWriter{T}"/>) and then writes to the socket in one call.
/// </summary>
/// <remarks>
/// Allocated once per stripe and never grown, so the steady state allocates nothing; a request for more than the free
/// space is a bug of the caller, which writes the buffer out first. Not thread-safe: the sending thread owns it.
/// </remarks>
internal sealed class SendBuffer : System.Buffers.IBufferWriter<byte>
{
    private readonly byte[] _array;
    private int _written;

    public SendBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _array = GC.AllocateUninitializedArray<byte>(capacity, pinned: true);
    }

    /// <summary>Bytes sealed and not yet written to the socket.</summary>
    public ReadOnlySpan<byte> Written => _array.AsSpan(0, _written);

    public int FreeCapacity => _array.Length - _written;

    public void Clear() => _written = 0;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, FreeCapacity);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => _array.AsMemory(_written, CheckRoom(sizeHint));

    public Span<byte> GetSpan(int sizeHint = 0) => _array.AsSpan(_written, CheckRoom(sizeHint));

    private int CheckRoom(int sizeHint)
    {
        if (sizeHint > FreeCapacity)
        {
            ThrowHelper.ThrowInvalidOperation($"The send buffer has {FreeCapacity} bytes free; {sizeHint} were asked for.");
        }

        return FreeCapacity;
    }
}
