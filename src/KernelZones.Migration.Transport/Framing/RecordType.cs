namespace KernelZones.Migration.Transport.Framing;

/// <summary>What a record carries. The value is the first byte of the record header.</summary>
public enum RecordType : byte
{
    /// <summary>Bulk data (for a migration: a run of guest pages) destined for the record's position.</summary>
    Data = 1,

    /// <summary>A small message of the layer above (progress, acknowledgements, zero-page ranges).</summary>
    Control = 2,

    /// <summary>The authenticated last record of a stream: an end, not a cut.</summary>
    EndOfStream = 3,
}
