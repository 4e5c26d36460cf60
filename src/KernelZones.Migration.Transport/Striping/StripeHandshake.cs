using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace KernelZones.Migration.Transport.Striping;

/// <summary>
/// The first bytes on a data connection. The connector sends a hello that names the transfer and stripe and
/// proves with an HMAC that it holds the session secret; the listener answers with an HMAC over the hello,
/// proving the same. A connection that cannot prove it costs the listener 76 bytes and a hash.
/// </summary>
/// <remarks>
/// Hello: <c>"KZMS" version:2 stripe:2 count:2 reserved:2 migration-id:16 nonce:16 hmac:32</c> (76 bytes);
/// reply: <c>"KZMA" hmac:32</c> (36 bytes), with the HMAC-SHA256 keyed by the session's handshake key
/// (<see cref="Keys.SessionKeySchedule.DeriveHandshakeKey"/>).
/// <para>Both ends exchange these with blocking calls on a thread of their own (<see cref="ReceiveExactly"/>,
/// <see cref="SendAll"/>), never asynchronously: the socket becomes a stripe, and .NET registers a socket with its
/// event loop for good on its first asynchronous operation. A deadline closes the socket, which ends the call.</para>
/// </remarks>
internal static class StripeHandshake
{
    public const int HelloSize = 76;
    public const int ReplySize = 36;
    public const ushort Version = 1;
    private const int MacOffset = 44;

    private static ReadOnlySpan<byte> HelloMagic => "KZMS"u8;
    private static ReadOnlySpan<byte> ReplyMagic => "KZMA"u8;
    private static ReadOnlySpan<byte> ReplyLabel => "kz-migr stripe accepted"u8;

    public readonly record struct Hello(Guid MigrationId, int StripeIndex, int StripeCount, ushort Version);

    public static void WriteHello(Span<byte> destination, Guid migrationId, int stripeIndex, int stripeCount, ReadOnlySpan<byte> handshakeKey)
    {
        HelloMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)stripeIndex);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], (ushort)stripeCount);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], 0);
        migrationId.TryWriteBytes(destination[12..], bigEndian: true, out _);
        RandomNumberGenerator.Fill(destination.Slice(28, 16));
        HMACSHA256.HashData(handshakeKey, destination[..MacOffset], destination.Slice(MacOffset, 32));
    }

    /// <summary>Reads the hello's public fields; null when the magic is wrong (not our protocol).</summary>
    public static Hello? ReadHello(ReadOnlySpan<byte> hello)
    {
        if (!hello.StartsWith(HelloMagic))
        {
            return null;
        }

        return new Hello(
            new Guid(hello.Slice(12, 16), bigEndian: true),
            BinaryPrimitives.ReadUInt16BigEndian(hello[6..]),
            BinaryPrimitives.ReadUInt16BigEndian(hello[8..]),
            BinaryPrimitives.ReadUInt16BigEndian(hello[4..]));
    }

    public static bool VerifyHello(ReadOnlySpan<byte> hello, ReadOnlySpan<byte> handshakeKey)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(handshakeKey, hello[..MacOffset], mac);
        return CryptographicOperations.FixedTimeEquals(mac, hello.Slice(MacOffset, 32));
    }

    /// <summary>The nonce of a hello, which a listener remembers so that a replayed hello is refused.</summary>
    public static UInt128 Nonce(ReadOnlySpan<byte> hello) => BinaryPrimitives.ReadUInt128BigEndian(hello.Slice(28, 16));

    public static void WriteReply(Span<byte> destination, ReadOnlySpan<byte> hello, ReadOnlySpan<byte> handshakeKey)
    {
        ReplyMagic.CopyTo(destination);
        ComputeReplyMac(hello, handshakeKey, destination.Slice(4, 32));
    }

    public static bool VerifyReply(ReadOnlySpan<byte> reply, ReadOnlySpan<byte> hello, ReadOnlySpan<byte> handshakeKey)
    {
        Span<byte> mac = stackalloc byte[32];
        ComputeReplyMac(hello, handshakeKey, mac);
        return reply.StartsWith(ReplyMagic) && CryptographicOperations.FixedTimeEquals(mac, reply.Slice(4, 32));
    }

    /// <summary>Receives exactly <paramref name="buffer"/>'s length with blocking reads.</summary>
    /// <exception cref="SocketException">The peer closed first (<see cref="SocketError.ConnectionReset"/>), or the socket failed.</exception>
    public static void ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int received = socket.Receive(buffer, SocketFlags.None);
            if (received == 0)
            {
                throw new SocketException((int)SocketError.ConnectionReset);
            }

            buffer = buffer[received..];
        }
    }

    /// <summary>Sends all of <paramref name="bytes"/> with blocking writes.</summary>
    public static void SendAll(Socket socket, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[socket.Send(bytes, SocketFlags.None)..];
        }
    }

    private static void ComputeReplyMac(ReadOnlySpan<byte> hello, ReadOnlySpan<byte> handshakeKey, Span<byte> mac)
    {
        Span<byte> input = stackalloc byte[ReplyLabel.Length + HelloSize];
        ReplyLabel.CopyTo(input);
        hello[..HelloSize].CopyTo(input[ReplyLabel.Length..]);
        HMACSHA256.HashData(handshakeKey, input, mac);
    }
}
