using System.Buffers;

namespace KernelZones.Migration.Transport;

/// <summary>
/// The memory pool behind one stripe's pipes: fixed-size blocks of exactly one maximum-size record, allocated
/// pinned on first use and recycled after, so that every record is sealed into and opened from one contiguous
/// block and the steady state allocates nothing.
/// </summary>
/// <remarks>
/// The pipes' pause thresholds bound how many blocks are ever out at once (see <c>StripeOptions</c>); the pool
/// keeps every block it has handed out, and lets them go to the collector when it is disposed. Thread-safe:
/// the sending and receiving sides of a stripe rent and return from different threads.
/// </remarks>
internal sealed class RecordBlockPool : MemoryPool<byte>
{
    private readonly Stack<Block> _free = new();
    private readonly int _blockSize;
    private bool _disposed;

    public RecordBlockPool(int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        _blockSize = blockSize;
    }

    /// <summary>The size of every block, in bytes.</summary>
    public override int MaxBufferSize => _blockSize;

    /// <summary>Blocks allocated so far (for tests: stays flat in the steady state).</summary>
    public int BlocksAllocated { get; private set; }

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > _blockSize)
        {
            ThrowHelper.ThrowArgument(nameof(minBufferSize), $"A block holds {_blockSize} bytes; {minBufferSize} were asked for.");
        }

        lock (_free)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_free.TryPop(out Block? block))
            {
                block.Rented = true;
                return block;
            }

            BlocksAllocated++;
        }

        return new Block(this, GC.AllocateUninitializedArray<byte>(_blockSize, pinned: true)) { Rented = true };
    }

    protected override void Dispose(bool disposing)
    {
        lock (_free)
        {
            _disposed = true;
            _free.Clear();
        }
    }

    private void Return(Block block)
    {
        lock (_free)
        {
            if (block.Rented && !_disposed)
            {
                block.Rented = false;
                _free.Push(block);
            }
        }
    }

    private sealed class Block(RecordBlockPool pool, byte[] array) : IMemoryOwner<byte>
    {
        public bool Rented { get; set; }

        public Memory<byte> Memory => array;

        public void Dispose() => pool.Return(this);
    }
}
