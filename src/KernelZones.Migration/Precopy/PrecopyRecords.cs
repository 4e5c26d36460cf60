namespace KernelZones.Migration.Precopy;

/// <summary>
/// How the migration uses the transport's record fields. Data records carry guest pages at a guest-physical
/// byte position, or a slice of the device state; control records carry runs of all-zero pages (no data).
/// </summary>
internal static class PrecopyRecords
{
    /// <summary>Data flag: the payload is guest pages at <c>Position</c> (a page-aligned byte address).</summary>
    public const byte Pages = 0;

    /// <summary>Data flag: the payload is the slice of the device state starting at byte <c>Position</c>.</summary>
    public const byte DeviceState = 1;

    /// <summary>Control flag: the pages from <c>Position</c> on, as many as the 4-byte big-endian payload says, are all zero.</summary>
    public const byte ZeroPages = 1;

    /// <summary>
    /// Control flag: every record of pre-copy round <c>Position</c> on this stripe came before this one (no payload).
    /// The destination acknowledges a round only once every stripe has delivered its marker, so that the source
    /// suspends the zone with nothing of earlier rounds still in flight.
    /// </summary>
    public const byte RoundEnd = 2;

    /// <summary>Payload of a zero-pages control record.</summary>
    public const int ZeroPagesPayload = 4;
}
