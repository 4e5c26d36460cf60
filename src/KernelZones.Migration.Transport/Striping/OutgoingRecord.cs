using KernelZones.Migration.Transport.Framing;

namespace KernelZones.Migration.Transport.Striping;

/// <summary>One record a batch asks a stripe to send: what it is, its label, and how long its payload is.</summary>
/// <param name="Type"><see cref="RecordType.Data"/> or <see cref="RecordType.Control"/>.</param>
/// <param name="Label">The caller's label for the payload, for example a guest-physical byte address.</param>
/// <param name="Length">The payload length in bytes, at most the stream's maximum payload.</param>
/// <param name="Flags">Flags of the caller, carried authenticated. The high bit (0x80) is reserved for the transport.</param>
public readonly record struct OutgoingRecord(RecordType Type, long Label, int Length, byte Flags = 0);
