using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using KernelZones.Benchmarks.Measurement;
using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Benchmarks.Transport;

/// <summary>
/// The direct baseline (docs/design.md, "How performance is measured"): plain blocking sockets over loopback, one sending and one receiving thread
/// per connection, the BCL's AesGcm/AesCcm on fixed buffers, the same cipher, connection count and record size
/// (24-byte header as associated data, 16-byte tag) — no pipelines and no protocol.
/// </summary>
internal static class DirectBaseline
{
    private const int HeaderSize = 24;

    public static RunResult Run(string cipher, int connections, long totalBytes, int recordSize, RingMemory source, RingMemory destination)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(connections);
        var pairs = new (Socket Sender, Socket Receiver)[connections];
        for (int i = 0; i < connections; i++)
        {
            var sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            sender.Connect(listener.LocalEndPoint!);
            pairs[i] = (sender, listener.Accept());
        }

        byte[] key = RandomNumberGenerator.GetBytes(16);
        long perConnection = totalBytes / connections / recordSize * recordSize;
        var meter = new RunMeter();
        var threads = new List<Thread>();
        for (int i = 0; i < connections; i++)
        {
            int index = i;
            long start = index * perConnection;
            threads.Add(new Thread(() => Send(cipher, key, pairs[index].Sender, source, start, perConnection, recordSize)));
            threads.Add(new Thread(() => Receive(cipher, key, pairs[index].Receiver, destination, start, perConnection, recordSize)));
        }

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var result = meter.Stop(perConnection * connections);
        foreach (var (sender, receiver) in pairs)
        {
            sender.Dispose();
            receiver.Dispose();
        }

        return result;
    }

    private static void Send(string cipher, byte[] key, Socket socket, RingMemory source, long start, long length, int recordSize)
    {
        using var aead = Aead.Create(cipher, key);
        byte[] record = new byte[HeaderSize + recordSize + 16];
        byte[] nonce = new byte[12];
        ulong sequence = 0;
        for (long offset = start; offset < start + length; offset += recordSize)
        {
            BinaryPrimitives.WriteUInt64BigEndian(record.AsSpan(8), sequence);
            BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), sequence++);
            aead.Seal(nonce, source.At(offset, recordSize), record.AsSpan(HeaderSize, recordSize), record.AsSpan(HeaderSize + recordSize, aead.TagSize), record.AsSpan(0, HeaderSize));
            int total = HeaderSize + recordSize + aead.TagSize;
            for (int sent = 0; sent < total;)
            {
                sent += socket.Send(record, sent, total - sent, SocketFlags.None);
            }
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    private static void Receive(string cipher, byte[] key, Socket socket, RingMemory destination, long start, long length, int recordSize)
    {
        using var aead = Aead.Create(cipher, key);
        byte[] record = new byte[HeaderSize + recordSize + 16];
        byte[] nonce = new byte[12];
        int total = HeaderSize + recordSize + aead.TagSize;
        for (long offset = start; offset < start + length; offset += recordSize)
        {
            for (int received = 0; received < total;)
            {
                int n = socket.Receive(record, received, total - received, SocketFlags.None);
                if (n == 0)
                {
                    throw new IOException("baseline connection closed early");
                }

                received += n;
            }

            nonce.AsSpan(4).Clear();
            record.AsSpan(8, 8).CopyTo(nonce.AsSpan(4));
            aead.Open(nonce, record.AsSpan(HeaderSize, recordSize), record.AsSpan(HeaderSize + recordSize, aead.TagSize), destination.At(offset, recordSize), record.AsSpan(0, HeaderSize));
        }
    }

    /// <summary>The BCL AEADs called directly; `none` copies.</summary>
    private sealed class Aead : IDisposable
    {
        private readonly AesGcm? _gcm;
        private readonly AesCcm? _ccm;

        private Aead(AesGcm? gcm, AesCcm? ccm)
        {
            _gcm = gcm;
            _ccm = ccm;
        }

        public int TagSize => _gcm is null && _ccm is null ? 0 : 16;

        public static Aead Create(string cipher, byte[] key) => cipher switch
        {
            CipherSuite.Aes128Gcm => new Aead(new AesGcm(key, 16), null),
            CipherSuite.Aes128Ccm => new Aead(null, new AesCcm(key)),
            _ => new Aead(null, null),
        };

        public void Seal(byte[] nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> ad)
        {
            if (_gcm is not null)
            {
                _gcm.Encrypt(nonce, plaintext, ciphertext, tag, ad);
            }
            else if (_ccm is not null)
            {
                _ccm.Encrypt(nonce, plaintext, ciphertext, tag, ad);
            }
            else
            {
                plaintext.CopyTo(ciphertext);
            }
        }

        public void Open(byte[] nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> ad)
        {
            if (_gcm is not null)
            {
                _gcm.Decrypt(nonce, ciphertext, tag, plaintext, ad);
            }
            else if (_ccm is not null)
            {
                _ccm.Decrypt(nonce, ciphertext, tag, plaintext, ad);
            }
            else
            {
                ciphertext.CopyTo(plaintext);
            }
        }

        public void Dispose()
        {
            _gcm?.Dispose();
            _ccm?.Dispose();
        }
    }
}
