namespace KernelZones.Migration.Kvm;

/// <summary>A KVM operation failed, <c>/dev/kvm</c> is not usable, or the guest stopped in a way the monitor cannot continue from.</summary>
/// <remarks>The message names the operation and, for a failed system call, the errno; <see cref="Errno"/> holds it.</remarks>
public class KvmException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, for an operator.</param>
    public KvmException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What failed, for an operator.</param>
    /// <param name="innerException">The cause.</param>
    public KvmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a failed system call.</summary>
    /// <param name="message">What failed, for an operator, including the errno's meaning.</param>
    /// <param name="errno">The errno the call returned.</param>
    public KvmException(string message, int errno)
        : base(message)
    {
        Errno = errno;
    }

    /// <summary>Creates the exception.</summary>
    public KvmException()
    {
    }

    /// <summary>The errno of the failed system call, or 0 when the failure was not a system call's.</summary>
    public int Errno { get; }
}
