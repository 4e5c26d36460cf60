namespace KernelZones.Migration.Transport;

/// <summary>
/// The base of every error the transport raises across its public API: a broken record stream, a
/// rejected stripe, a failed or aborted transfer. The message says what happened in terms an operator
/// can act on; <see cref="Exception.InnerException"/> holds the underlying cause, if any.
/// </summary>
public class TransportException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public TransportException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying cause.</param>
    public TransportException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
