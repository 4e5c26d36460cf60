using System.Security.Cryptography;
using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Migration.Transport.Tests.Ciphers;

/// <summary>
/// The OpenSSL path of <c>aes-128-ccm</c>, which keeps one context per key and direction across records: it must
/// agree with the BCL's <see cref="AesCcm"/> record after record, recover after a rejected record, and allocate nothing.
/// (The published vectors in <see cref="KnownAnswerTests"/> run through it as well, wherever it is available.)
/// </summary>
public sealed class OpenSslCcmTests
{
    [Fact]
    public void Is_available_on_linux()
    {
        // Without it aes-128-ccm silently falls back to AesCcm, which allocates per record; on Linux that is a regression.
        Assert.Equal(OperatingSystem.IsLinux(), OpenSslCcm.IsAvailable);
    }

    [Fact]
    public void A_reused_context_agrees_with_the_bcl_record_after_record()
    {
        Assert.SkipUnless(OpenSslCcm.IsAvailable, "libcrypto is not loadable on this platform");
        var random = new Random(20261126);
        byte[] key = RandomBytes(random, 16);
        using var ours = OpenSslCcm.TryCreate(key, 12, 16)!;
        using var bcl = new AesCcm(key);
        foreach (int length in (int[])[1, 15, 16, 17, 4096, 65_537, 262_144, 3, 1 << 20])
        {
            for (int adLength = 0; adLength <= 40; adLength += 24)
            {
                byte[] nonce = RandomBytes(random, 12);
                byte[] ad = RandomBytes(random, adLength);
                byte[] plaintext = RandomBytes(random, length);
                byte[] expected = new byte[length];
                byte[] expectedTag = new byte[16];
                bcl.Encrypt(nonce, plaintext, expected, expectedTag, ad);
                byte[] ciphertext = new byte[length];
                byte[] tag = new byte[16];

                ours.Encrypt(nonce, plaintext, ciphertext, tag, ad);

                Assert.Equal(expected, ciphertext);
                Assert.Equal(expectedTag, tag);
                byte[] opened = new byte[length];
                ours.Decrypt(nonce, ciphertext, tag, opened, ad);
                Assert.Equal(plaintext, opened);
            }
        }
    }

    [Fact]
    public void Encrypts_and_decrypts_in_place()
    {
        Assert.SkipUnless(OpenSslCcm.IsAvailable, "libcrypto is not loadable on this platform");
        byte[] key = new byte[16];
        byte[] nonce = new byte[12];
        byte[] plaintext = RandomBytes(new Random(7), 10_000);
        byte[] buffer = (byte[])plaintext.Clone();
        byte[] tag = new byte[16];
        using var ours = OpenSslCcm.TryCreate(key, 12, 16)!;

        ours.Encrypt(nonce, buffer, buffer, tag, [9]);
        Assert.NotEqual(plaintext, buffer);
        ours.Decrypt(nonce, buffer, tag, buffer, [9]);

        Assert.Equal(plaintext, buffer);
    }

    [Fact]
    public void A_rejected_record_is_cleared_and_the_context_still_opens_the_next()
    {
        Assert.SkipUnless(OpenSslCcm.IsAvailable, "libcrypto is not loadable on this platform");
        var random = new Random(3);
        using var ours = OpenSslCcm.TryCreate(RandomBytes(random, 16), 12, 16)!;
        byte[] nonce = RandomBytes(random, 12);
        byte[] plaintext = RandomBytes(random, 5000);
        byte[] ciphertext = new byte[plaintext.Length];
        byte[] tag = new byte[16];
        ours.Encrypt(nonce, plaintext, ciphertext, tag, [1, 2]);
        byte[] forged = (byte[])ciphertext.Clone();
        forged[4321] ^= 0x10;
        byte[] opened = RandomBytes(random, plaintext.Length);

        Assert.Throws<AuthenticationTagMismatchException>(() => ours.Decrypt(nonce, forged, tag, opened, [1, 2]));
        Assert.All(opened, b => Assert.Equal(0, b));
        Assert.Throws<AuthenticationTagMismatchException>(() => ours.Decrypt(nonce, ciphertext, tag, opened, [1, 3]));
        Assert.Throws<AuthenticationTagMismatchException>(() => ours.Decrypt(RandomBytes(random, 12), ciphertext, tag, opened, [1, 2]));

        ours.Decrypt(nonce, ciphertext, tag, opened, [1, 2]);
        Assert.Equal(plaintext, opened);
    }

    [Fact]
    public void Sealing_and_opening_records_allocates_nothing()
    {
        Assert.SkipUnless(OpenSslCcm.IsAvailable, "libcrypto is not loadable on this platform");
        using ICipher cipher = CipherSuite.Create(CipherSuite.Aes128Ccm, new byte[16]);
        byte[] nonce = new byte[12];
        byte[] plaintext = new byte[256 * 1024];
        byte[] ciphertext = new byte[plaintext.Length];
        byte[] tag = new byte[16];
        byte[] ad = new byte[24];
        cipher.Encrypt(nonce, plaintext, ciphertext, tag, ad);
        cipher.Decrypt(nonce, ciphertext, tag, plaintext, ad);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 64; i++)
        {
            nonce[0] = (byte)i;
            cipher.Encrypt(nonce, plaintext, ciphertext, tag, ad);
            cipher.Decrypt(nonce, ciphertext, tag, plaintext, ad);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_disposed_context_refuses_work()
    {
        Assert.SkipUnless(OpenSslCcm.IsAvailable, "libcrypto is not loadable on this platform");
        var ours = OpenSslCcm.TryCreate(new byte[16], 12, 16)!;
        ours.Dispose();
        ours.Dispose();

        Assert.Throws<ObjectDisposedException>(() => ours.Encrypt(new byte[12], new byte[16], new byte[16], new byte[16], []));
    }

    [Fact]
    public void A_dispose_racing_records_ends_them_with_object_disposed_and_never_frees_a_context_under_a_call()
    {
        Assert.SkipUnless(OpenSslCcm.IsAvailable, "libcrypto is not loadable on this platform");
        const int Iterations = 1000;
        byte[] nonce = new byte[12];
        byte[] plaintext = RandomBytes(new Random(1), 16 * 1024);
        byte[] ad = new byte[24];
        int refusedMidStream = 0;
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            ICipher cipher = CipherSuite.Create(CipherSuite.Aes128Ccm, new byte[16]);
            byte[] record = new byte[plaintext.Length];
            byte[] recordTag = new byte[16];
            cipher.Encrypt(nonce, plaintext, record, recordTag, ad);
            using var running = new CountdownEvent(2);
            var sealing = new Hammer(running, () => cipher.Encrypt(nonce, plaintext, new byte[plaintext.Length], new byte[16], ad));
            var opening = new Hammer(running, () => cipher.Decrypt(nonce, record, recordTag, new byte[record.Length], ad));

            // Both threads are inside their loops; a varying spin lands the dispose at varying points of a record.
            Assert.True(running.Wait(TimeSpan.FromSeconds(30)), "the hammering threads did not start");
            Thread.SpinWait(iteration * 37 % 4000);
            cipher.Dispose();

            foreach (var hammer in (Hammer[])[sealing, opening])
            {
                Assert.True(hammer.Thread.Join(TimeSpan.FromSeconds(30)), "a record call did not return after the dispose");
                Assert.True(hammer.Unexpected is null, $"iteration {iteration}: a record racing the dispose threw {hammer.Unexpected}");
                refusedMidStream += hammer.Records > 0 ? 1 : 0;
            }
        }

        // The race was exercised: disposes landed while records were flowing, not only before the first.
        Assert.True(refusedMidStream > Iterations / 10, $"only {refusedMidStream} hammers had records done before the dispose");
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A thread that runs one record call in a loop until it throws; only <see cref="ObjectDisposedException"/> is expected.</summary>
    private sealed class Hammer
    {
        public Hammer(CountdownEvent running, Action record)
        {
            Thread = new Thread(() =>
            {
                running.Signal();
                try
                {
                    while (true)
                    {
                        record();
                        Records++;
                    }
                }
                catch (ObjectDisposedException)
                {
                    // the dispose won: the expected end
                }
                catch (Exception e)
                {
                    Unexpected = e;
                }
            });
            Thread.Start();
        }

        public Thread Thread { get; }

        public long Records { get; private set; }

        public Exception? Unexpected { get; private set; }
    }
}
