using System.Buffers.Binary;
using System.IO.Hashing;

namespace KernelZones.Migration.Engine;

/// <summary>
/// What both ends compare before the commit: the order-independent digest of guest memory, the XxHash128 of
/// the device state and its length, as 40 bytes (<c>memory:16 device:16 length:8</c>, big-endian).
/// </summary>
internal static class MigrationVerification
{
    public const int Size = 40;

    public static byte[] Encode(UInt128 memoryDigest, ReadOnlySpan<byte> deviceState)
    {
        byte[] bytes = new byte[Size];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, memoryDigest);
        BinaryPrimitives.WriteUInt128BigEndian(bytes.AsSpan(16), XxHash128.HashToUInt128(deviceState));
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(32), deviceState.Length);
        return bytes;
    }
}
