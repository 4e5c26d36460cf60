using System.Buffers.Binary;
using System.Text;
using System.Threading.Channels;

namespace KernelZones.Migration.Kvm.Devices;

/// <summary>
/// A 16550A UART at I/O ports <see cref="BasePort"/>..+7 on ISA IRQ <see cref="Irq"/>: transmitted bytes become lines
/// on <see cref="Lines"/>; bytes written with <see cref="WriteInput"/> are received by the guest (RBR, LSR.DR and
/// the received-data interrupt). The transmitter is always empty (LSR.THRE and TEMT set): output never waits.
/// </summary>
/// <remarks>Thread-safety: port accesses come from vCPU threads, input and state from any thread; a lock orders them.</remarks>
internal sealed class Serial16550
{
    public const ushort BasePort = 0x3F8;
    public const uint Irq = 4;
    public const int MaxLineLength = 4096;
    public const int MaxInputBytes = 4096;
    public const int MaxQueuedLines = 10_000;
    public const int StateVersion = 1;

    private const byte IerReceivedData = 0x01;
    private const byte IerTransmitterEmpty = 0x02;
    private const byte LcrDivisorLatch = 0x80;
    private const byte LsrDataReady = 0x01;
    private const byte LsrTransmitterEmpty = 0x60;
    private const byte McrLoop = 0x10;

    private readonly object _lock = new();
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(
        new BoundedChannelOptions(MaxQueuedLines) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false, SingleWriter = false });

    private readonly Queue<byte> _input = new();
    private readonly StringBuilder _line = new();
    private readonly Action<bool> _setIrq;
    private readonly Action<string> _lineWritten;
    private byte _ier;
    private byte _lcr = 0x03;
    private byte _mcr = 0x08;
    private byte _scr;
    private byte _fcr;
    private byte _dll = 0x0C;
    private byte _dlm;
    private bool _thrInterruptPending;
    private bool _irqHigh;

    /// <summary>Creates the UART.</summary>
    /// <param name="setIrq">Drives the UART's interrupt line (level).</param>
    /// <param name="lineWritten">Sees every complete output line before it is queued on <see cref="Lines"/>, on the vCPU thread under the UART's lock: it must be quick.</param>
    public Serial16550(Action<bool> setIrq, Action<string> lineWritten)
    {
        _setIrq = setIrq;
        _lineWritten = lineWritten;
    }

    /// <summary>Complete output lines, without the line end.</summary>
    public ChannelReader<string> Lines => _lines.Reader;

    /// <summary>Whether the guest has sent part of a line (a restored state may hold one the source began).</summary>
    public bool HasPartialLine
    {
        get
        {
            lock (_lock)
            {
                return _line.Length > 0;
            }
        }
    }

    public byte Read(int offset)
    {
        lock (_lock)
        {
            byte value = offset switch
            {
                0 when (_lcr & LcrDivisorLatch) != 0 => _dll,
                0 => _input.Count > 0 ? _input.Dequeue() : (byte)0,
                1 when (_lcr & LcrDivisorLatch) != 0 => _dlm,
                1 => _ier,
                2 => InterruptIdentification(),
                3 => _lcr,
                4 => _mcr,
                5 => (byte)(LsrTransmitterEmpty | (_input.Count > 0 ? LsrDataReady : 0)),
                6 => (_mcr & McrLoop) != 0 ? (byte)((_mcr & 0x0F) << 4) : (byte)0xB0,
                _ => _scr,
            };
            if (offset == 2)
            {
                _thrInterruptPending = false;
            }

            UpdateIrq();
            return value;
        }
    }

    public void Write(int offset, byte value)
    {
        lock (_lock)
        {
            switch (offset)
            {
                case 0 when (_lcr & LcrDivisorLatch) != 0:
                    _dll = value;
                    break;
                case 0:
                    Transmit(value);
                    _thrInterruptPending = true;
                    break;
                case 1 when (_lcr & LcrDivisorLatch) != 0:
                    _dlm = value;
                    break;
                case 1:
                    _ier = (byte)(value & 0x0F);
                    _thrInterruptPending = (_ier & IerTransmitterEmpty) != 0;
                    break;
                case 2:
                    _fcr = value;
                    if ((value & 0x02) != 0)
                    {
                        _input.Clear();
                    }

                    break;
                case 3:
                    _lcr = value;
                    break;
                case 4:
                    _mcr = (byte)(value & 0x1F);
                    break;
                case 7:
                    _scr = value;
                    break;
                default:
                    break;
            }

            UpdateIrq();
        }
    }

    /// <summary>Queues bytes for the guest to receive; bytes beyond <see cref="MaxInputBytes"/> waiting are dropped, as a real FIFO overruns.</summary>
    /// <returns>The number of bytes queued.</returns>
    public int WriteInput(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            int queued = 0;
            foreach (byte value in data)
            {
                if (_input.Count >= MaxInputBytes)
                {
                    break;
                }

                _input.Enqueue(value);
                queued++;
            }

            UpdateIrq();
            return queued;
        }
    }

    /// <summary>Ends the line channel: readers see completion once they drained it.</summary>
    public void Complete(Exception? error) => _lines.Writer.TryComplete(error);

    /// <summary>Writes the registers, waiting input and the partial output line (version <see cref="StateVersion"/>).</summary>
    public byte[] SaveState()
    {
        lock (_lock)
        {
            byte[] partial = Encoding.Latin1.GetBytes(_line.ToString());
            byte[] state = new byte[16 + _input.Count + partial.Length];
            state[0] = _ier;
            state[1] = _lcr;
            state[2] = _mcr;
            state[3] = _scr;
            state[4] = _fcr;
            state[5] = _dll;
            state[6] = _dlm;
            state[7] = _thrInterruptPending ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteInt32LittleEndian(state.AsSpan(8), _input.Count);
            BinaryPrimitives.WriteInt32LittleEndian(state.AsSpan(12), partial.Length);
            _input.CopyTo(state, 16);
            partial.CopyTo(state, 16 + _input.Count);
            return state;
        }
    }

    /// <summary>Checks a state written by <see cref="SaveState"/> without applying it.</summary>
    public static void ValidateState(ReadOnlySpan<byte> state)
    {
        if (state.Length < 16)
        {
            throw new ArgumentException($"The UART state is {state.Length} bytes, shorter than its 16-byte head.");
        }

        int inputLength = BinaryPrimitives.ReadInt32LittleEndian(state[8..]);
        int lineLength = BinaryPrimitives.ReadInt32LittleEndian(state[12..]);
        if (inputLength is < 0 or > MaxInputBytes || lineLength is < 0 or > MaxLineLength || state.Length != 16 + inputLength + lineLength)
        {
            throw new ArgumentException($"The UART state's lengths ({inputLength} input bytes, {lineLength} line bytes) do not match its {state.Length} bytes or exceed the limits.");
        }
    }

    public void RestoreState(ReadOnlySpan<byte> state)
    {
        ValidateState(state);
        int inputLength = BinaryPrimitives.ReadInt32LittleEndian(state[8..]);
        lock (_lock)
        {
            _ier = state[0];
            _lcr = state[1];
            _mcr = state[2];
            _scr = state[3];
            _fcr = state[4];
            _dll = state[5];
            _dlm = state[6];
            _thrInterruptPending = state[7] != 0;
            _input.Clear();
            foreach (byte value in state.Slice(16, inputLength))
            {
                _input.Enqueue(value);
            }

            _line.Clear();
            _line.Append(Encoding.Latin1.GetString(state[(16 + inputLength)..]));
            UpdateIrq();
        }
    }

    private byte InterruptIdentification()
    {
        byte fifo = (_fcr & 0x01) != 0 ? (byte)0xC0 : (byte)0;
        if ((_ier & IerReceivedData) != 0 && _input.Count > 0)
        {
            return (byte)(fifo | 0x04);
        }

        if ((_ier & IerTransmitterEmpty) != 0 && _thrInterruptPending)
        {
            return (byte)(fifo | 0x02);
        }

        return (byte)(fifo | 0x01);
    }

    private void Transmit(byte value)
    {
        if (value == (byte)'\n')
        {
            string line = _line.ToString();
            _line.Clear();
            _lineWritten(line);
            _lines.Writer.TryWrite(line);
        }
        else if (value != (byte)'\r' && _line.Length < MaxLineLength)
        {
            _line.Append((char)value);
        }
    }

    private void UpdateIrq()
    {
        bool high = (InterruptIdentification() & 0x01) == 0;
        if (high != _irqHigh)
        {
            _irqHigh = high;
            _setIrq(high);
        }
    }
}
