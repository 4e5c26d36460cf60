namespace KernelZones.Migration.Transport.Striping;

/// <summary>
/// A run of records for one stripe, pulled by that stripe's sending loop: the loop asks for each record,
/// then for its payload, and seals the payload straight from the returned span into the stripe's send buffer.
/// </summary>
/// <remarks>
/// Both methods are called on the stripe's sending loop, one call at a time. The span returned by
/// <see cref="GetPayload"/> must stay valid and unchanged until the next call; it is typically a view of
/// guest memory, so that page data is never copied before it is encrypted.
/// </remarks>
public interface IRecordBatch
{
    /// <summary>Returns the next record to send, or <see langword="false"/> when the batch is exhausted.</summary>
    /// <param name="record">The next record.</param>
    bool TryGetNext(out OutgoingRecord record);

    /// <summary>Returns the payload of <paramref name="record"/>: exactly <see cref="OutgoingRecord.Length"/> bytes.</summary>
    /// <param name="record">The record <see cref="TryGetNext"/> just returned.</param>
    ReadOnlySpan<byte> GetPayload(in OutgoingRecord record);
}
