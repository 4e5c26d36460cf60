namespace KernelZones.Migration.Precopy;

/// <summary>
/// What a pre-copy record carries, in the record's flags byte; each kind has its own value, and the kind says what the
/// record's label (the transport's 64-bit <c>Label</c>) means.
/// </summary>
internal enum PrecopyRecordKind : byte
{
    /// <summary>Data: guest pages; the label is their page-aligned guest-physical byte address.</summary>
    Pages = 0,

    /// <summary>Data: a slice of the device state; the label is the slice's byte offset in the state.</summary>
    DeviceState = 1,

    /// <summary>Control: a run of all-zero pages; the label is the first page's byte address, the 4-byte big-endian payload the run's page count.</summary>
    ZeroPages = 2,

    /// <summary>
    /// Control, no payload: every record of a pre-copy round on this stripe came before this one; the label is the round.
    /// The destination acknowledges a round only once every stripe has delivered its marker, so that the source
    /// suspends the zone with nothing of earlier rounds still in flight.
    /// </summary>
    RoundEnd = 3,
}

/// <summary>Sizes of the pre-copy records.</summary>
internal static class PrecopyRecords
{
    /// <summary>Payload of a zero-pages control record: the run's page count.</summary>
    public const int ZeroPagesPayload = 4;
}
