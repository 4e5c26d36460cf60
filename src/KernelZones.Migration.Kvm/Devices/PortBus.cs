namespace KernelZones.Migration.Kvm.Devices;

/// <summary>
/// Routes the guest's port I/O exits: COM1 to the UART; any other port reads as all ones (no device) and ignores writes.
/// The PIC, PIT and the other legacy ports the in-kernel devices claim never reach user space.
/// </summary>
internal sealed class PortBus
{
    private readonly Serial16550 _serial;

    public PortBus(Serial16550 serial)
    {
        _serial = serial;
    }

    public void Write(ushort port, ReadOnlySpan<byte> data)
    {
        if (IsSerial(port) && data.Length == 1)
        {
            _serial.Write(port - Serial16550.BasePort, data[0]);
        }
    }

    public void Read(ushort port, Span<byte> data)
    {
        if (IsSerial(port) && data.Length == 1)
        {
            data[0] = _serial.Read(port - Serial16550.BasePort);
            return;
        }

        data.Fill(0xFF);
    }

    private static bool IsSerial(ushort port) => port is >= Serial16550.BasePort and < Serial16550.BasePort + 8;
}
