namespace KernelZones.Migration;

/// <summary>The one exception type the migration API throws for a failed migration step.</summary>
/// <remarks>The message is meant for an operator; <see cref="Kind"/> is meant for code. The cause, when there is one, is in <see cref="Exception.InnerException"/>.</remarks>
public sealed class MigrationException : Exception
{
    /// <summary>Creates an exception of the given kind.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="message">A sentence an operator can act on.</param>
    /// <param name="innerException">The underlying cause, or <see langword="null"/>.</param>
    public MigrationException(MigrationFailureKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>What went wrong.</summary>
    public MigrationFailureKind Kind { get; }
}
