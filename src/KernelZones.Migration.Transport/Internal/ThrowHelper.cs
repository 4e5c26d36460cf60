using System.Diagnostics.CodeAnalysis;

namespace KernelZones.Migration.Transport;

/// <summary>Throw sites kept out of hot methods so that they stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument(string paramName, string message) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowObjectDisposed(string typeName) => throw new ObjectDisposedException(typeName);

    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);
}
