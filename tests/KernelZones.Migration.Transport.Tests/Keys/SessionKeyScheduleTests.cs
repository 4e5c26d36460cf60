using System.Security.Cryptography;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Keys;
using KernelZones.Migration.Transport.Tests.Infrastructure;

namespace KernelZones.Migration.Transport.Tests.Keys;

public sealed class SessionKeyScheduleTests
{
    [Fact]
    public void Keys_and_nonce_prefixes_of_64_stripes_in_both_directions_are_all_distinct()
    {
        using var schedule = TestKeys.Schedule();
        var keys = new HashSet<string>();
        var prefixes = new HashSet<uint>();
        var pairs = new HashSet<string>();
        for (int stripe = 0; stripe < 64; stripe++)
        {
            foreach (var direction in new[] { StreamDirection.SourceToDestination, StreamDirection.DestinationToSource })
            {
                for (uint epoch = 0; epoch < 3; epoch++)
                {
                    byte[] key = new byte[16];
                    schedule.DeriveTrafficKey(stripe, direction, epoch, key);
                    uint prefix = SessionKeySchedule.GetNoncePrefix(stripe, direction, epoch);
                    Assert.True(keys.Add(Convert.ToHexString(key)));
                    Assert.True(prefixes.Add(prefix));
                    Assert.True(pairs.Add($"{Convert.ToHexString(key)}:{prefix}"));
                }
            }
        }

        byte[] handshake = new byte[32];
        schedule.DeriveHandshakeKey(handshake);
        Assert.DoesNotContain(keys, k => Convert.ToHexString(handshake).StartsWith(k, StringComparison.Ordinal));
    }

    [Fact]
    public void The_derivation_is_deterministic_and_depends_on_secret_and_migration_id()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        var id = Guid.NewGuid();
        using var a = new SessionKeySchedule(secret, id);
        using var b = new SessionKeySchedule(secret, id);
        using var otherId = new SessionKeySchedule(secret, Guid.NewGuid());
        secret[0] ^= 1;
        using var otherSecret = new SessionKeySchedule(secret, id);

        Assert.Equal(Key(a), Key(b));
        Assert.NotEqual(Key(a), Key(otherId));
        Assert.NotEqual(Key(a), Key(otherSecret));
    }

    [Fact]
    public void A_disposed_schedule_derives_nothing()
    {
        var schedule = TestKeys.Schedule();
        var keys = schedule.CreateStreamKeys(1, StreamDirection.DestinationToSource, CipherSuite.Aes128Gcm);
        schedule.Dispose();

        Assert.Throws<ObjectDisposedException>(() => schedule.DeriveTrafficKey(0, StreamDirection.SourceToDestination, 0, new byte[16]));
        using var cipher = keys.CreateCipher(0, out _); // stream keys own their copy
        keys.Dispose();
        Assert.Throws<ObjectDisposedException>(() => keys.CreateCipher(1, out _));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new SessionKeySchedule(new byte[31], Guid.Empty));
        using var schedule = TestKeys.Schedule();
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.CreateStreamKeys(-1, StreamDirection.SourceToDestination, CipherSuite.Aes128Gcm));
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.CreateStreamKeys(SessionKeySchedule.MaxStripeIndex + 1, StreamDirection.SourceToDestination, CipherSuite.Aes128Gcm));
        Assert.Throws<ArgumentException>(() => schedule.CreateStreamKeys(0, StreamDirection.SourceToDestination, "aes-256-cbc"));
    }

    private static string Key(SessionKeySchedule schedule)
    {
        byte[] key = new byte[16];
        schedule.DeriveTrafficKey(3, StreamDirection.SourceToDestination, 0, key);
        return Convert.ToHexString(key);
    }
}
