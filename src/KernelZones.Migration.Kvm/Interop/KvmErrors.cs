using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace KernelZones.Migration.Kvm.Interop;

/// <summary>The one place where a failed system call's errno becomes a <see cref="KvmException"/>.</summary>
internal static class KvmErrors
{
    /// <summary>Returns <paramref name="result"/> when it is not negative; otherwise throws for the errno of the call just made.</summary>
    public static int Check(int result, string operation)
    {
        if (result < 0)
        {
            Throw(operation, Marshal.GetLastPInvokeError());
        }

        return result;
    }

    [DoesNotReturn]
    public static void Throw(string operation, int errno)
    {
        throw new KvmException($"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
    }
}
