namespace KernelZones.Migration.Transport.Striping;

/// <summary>A queued unit of work for a stripe's sending loop: a batch, or the end of the stream.</summary>
internal sealed class SendRequest
{
    private SendRequest(IRecordBatch? batch)
    {
        Batch = batch;
    }

    /// <summary>The batch to seal, or <see langword="null"/> for the end-of-stream record.</summary>
    public IRecordBatch? Batch { get; }

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static SendRequest For(IRecordBatch batch) => new(batch);

    public static SendRequest EndOfStream() => new(null);
}
