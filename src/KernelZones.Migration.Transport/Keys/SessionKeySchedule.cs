using System.Buffers.Binary;
using System.Security.Cryptography;
using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Transport.Keys;

/// <summary>
/// Derives every key of one migration from its 32-byte session secret and its migration id with
/// HKDF-SHA256 (RFC 5869): one pseudo-random key per session (Extract, salted with the migration id),
/// then one key per stripe, direction and key epoch (Expand, with those three in the info string).
/// </summary>
/// <remarks>
/// The session secret is agreed over the authenticated TLS control channel. The schedule keeps only the
/// extracted pseudo-random key and zeroes it on <see cref="Dispose"/>. Thread-safe: derivations do not
/// mutate the schedule.
/// </remarks>
public sealed class SessionKeySchedule : IDisposable
{
    /// <summary>The session secret's size in bytes.</summary>
    public const int SecretSize = 32;

    /// <summary>The largest stripe index a schedule derives keys for (the nonce prefix holds 15 bits of it).</summary>
    public const int MaxStripeIndex = 0x7FFF;

    /// <summary>The largest key epoch (the nonce prefix holds 16 bits of it); rotation past it is refused.</summary>
    public const uint MaxEpoch = 0xFFFF;

    private static ReadOnlySpan<byte> SaltLabel => "kz-migr v1 salt"u8;
    private static ReadOnlySpan<byte> TrafficLabel => "kz-migr v1 traffic"u8;
    private static ReadOnlySpan<byte> HandshakeLabel => "kz-migr v1 handshake"u8;

    private readonly byte[] _prk = new byte[32];
    private bool _disposed;

    /// <summary>Creates the schedule for one migration.</summary>
    /// <param name="sessionSecret">Exactly <see cref="SecretSize"/> random bytes; the caller should zero its copy.</param>
    /// <param name="migrationId">The migration's id; it salts the derivation so two migrations never share keys.</param>
    /// <exception cref="ArgumentException">The secret is not 32 bytes.</exception>
    public SessionKeySchedule(ReadOnlySpan<byte> sessionSecret, Guid migrationId)
    {
        if (sessionSecret.Length != SecretSize)
        {
            ThrowHelper.ThrowArgument(nameof(sessionSecret), $"The session secret must be {SecretSize} bytes, not {sessionSecret.Length}.");
        }

        MigrationId = migrationId;
        Span<byte> salt = stackalloc byte[SaltLabel.Length + 16];
        SaltLabel.CopyTo(salt);
        migrationId.TryWriteBytes(salt[SaltLabel.Length..], bigEndian: true, out _);
        HKDF.Extract(HashAlgorithmName.SHA256, sessionSecret, salt, _prk);
    }

    // A copy that outlives the original, for one stream's StreamKeys.
    private SessionKeySchedule(SessionKeySchedule other)
    {
        MigrationId = other.MigrationId;
        other._prk.CopyTo(_prk);
    }

    /// <summary>The migration id the schedule was created for.</summary>
    public Guid MigrationId { get; }

    /// <summary>
    /// The 4-byte nonce prefix of a stream: direction (1 bit), stripe index (15 bits), key epoch (16 bits).
    /// Built from those fields rather than drawn from HKDF output so that no two streams of a session can
    /// ever share a prefix, even by chance (docs/design.md, invariant 5).
    /// </summary>
    /// <param name="stripeIndex">0 to <see cref="MaxStripeIndex"/>.</param>
    /// <param name="direction">The stream's direction.</param>
    /// <param name="epoch">0 to <see cref="MaxEpoch"/>.</param>
    public static uint GetNoncePrefix(int stripeIndex, StreamDirection direction, uint epoch)
    {
        CheckStream(stripeIndex, epoch);
        return ((uint)direction << 31) | ((uint)stripeIndex << 16) | epoch;
    }

    /// <summary>Derives the traffic key of one stream and key epoch into <paramref name="key"/>.</summary>
    /// <param name="stripeIndex">0 to <see cref="MaxStripeIndex"/>.</param>
    /// <param name="direction">The stream's direction.</param>
    /// <param name="epoch">0 to <see cref="MaxEpoch"/>; each rotation uses the next epoch.</param>
    /// <param name="key">Receives <see cref="CipherSuite.KeySize"/> bytes; the caller zeroes it after use.</param>
    public void DeriveTrafficKey(int stripeIndex, StreamDirection direction, uint epoch, Span<byte> key)
    {
        CheckStream(stripeIndex, epoch);
        Span<byte> info = stackalloc byte[TrafficLabel.Length + 9];
        TrafficLabel.CopyTo(info);
        BinaryPrimitives.WriteInt32BigEndian(info[TrafficLabel.Length..], stripeIndex);
        info[TrafficLabel.Length + 4] = (byte)direction;
        BinaryPrimitives.WriteUInt32BigEndian(info[(TrafficLabel.Length + 5)..], epoch);
        Expand(key[..CipherSuite.KeySize], info);
    }

    /// <summary>
    /// Derives the 32-byte key that stripe handshakes are authenticated with (HMAC-SHA256), distinct from
    /// every traffic key, so that a connection can prove it holds the session secret without revealing it.
    /// </summary>
    /// <param name="key">Receives 32 bytes; the caller zeroes it after use.</param>
    public void DeriveHandshakeKey(Span<byte> key) => Expand(key[..32], HandshakeLabel);

    /// <summary>Creates the key source of one stream; it copies what it needs and outlives this schedule.</summary>
    /// <param name="stripeIndex">0 to <see cref="MaxStripeIndex"/>.</param>
    /// <param name="direction">The stream's direction.</param>
    /// <param name="cipherName">The negotiated cipher, one of <see cref="CipherSuite.Supported"/>.</param>
    public StreamKeys CreateStreamKeys(int stripeIndex, StreamDirection direction, string cipherName)
    {
        CheckStream(stripeIndex, 0);
        if (!CipherSuite.IsSupported(cipherName))
        {
            _ = CipherSuite.Create(cipherName, default); // throws the specific error (unknown or unsupported)
        }

        return new StreamKeys(new SessionKeySchedule(this), stripeIndex, direction, cipherName);
    }

    /// <summary>Zeroes the pseudo-random key. Derivations afterwards throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_prk);
    }

    private void Expand(Span<byte> output, ReadOnlySpan<byte> info)
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(SessionKeySchedule));
        }

        HKDF.Expand(HashAlgorithmName.SHA256, _prk, output, info);
    }

    private static void CheckStream(int stripeIndex, uint epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stripeIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stripeIndex, MaxStripeIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(epoch, MaxEpoch);
    }
}
