namespace KernelZones.Testing.Faults;

/// <summary>One record seen by the fault proxy, before it is forwarded.</summary>
/// <param name="Connection">The order in which its connection was accepted, from 0.</param>
/// <param name="Direction">Which way it flows.</param>
/// <param name="Index">Its position among the records of that direction, from 0.</param>
/// <param name="Type">TLS content type, or the stripe record type (0 for the stripe handshake message).</param>
/// <param name="Flags">The stripe record's flags (0 for TLS).</param>
/// <param name="TypeOrdinal">Its position among the records of the same type in that direction, from 1.</param>
/// <param name="Length">Its length on the wire.</param>
/// <param name="Position">The stripe record's position label (a guest address for page data); -1 for TLS and handshakes.</param>
internal readonly record struct ProxyRecord(int Connection, FlowDirection Direction, long Index, byte Type, byte Flags, long TypeOrdinal, int Length, long Position)
{
    /// <summary>TLS content type application_data (RFC 8446 §5.1).</summary>
    public const byte TlsApplicationData = 23;

    public override string ToString() => $"{Direction} record {Index} (type {Type}/{Flags}, {TypeOrdinal} of its type, {Length} bytes)";
}
