namespace KernelZones.Migration.Transport.Framing;

/// <summary>A record stream was rejected: see <see cref="Kind"/> for why.</summary>
public sealed class RecordException : TransportException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">Why the stream was rejected.</param>
    /// <param name="message">A message an operator can act on.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public RecordException(RecordErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>Why the stream was rejected.</summary>
    public RecordErrorKind Kind { get; }
}
