using System.Buffers.Binary;
using System.Security.Cryptography;

namespace KernelZones.Migration.Transport.Ciphers;

/// <summary>
/// AES-CCM for an empty message, computed from the block cipher per NIST SP 800-38C §6.1 and Appendix A.
/// </summary>
/// <remarks>
/// The BCL's <see cref="AesCcm"/> on OpenSSL 3 mishandles an empty plaintext: it skips the data update that
/// OpenSSL needs, so encryption fails with "tag not set" and, worse, decryption on OpenSSL 3.0.x accepts any
/// tag — an empty end-of-stream record could be forged. Empty records are part of our protocol, so we compute
/// them ourselves. For an empty message CCM reduces to T = MSB(CBC-MAC(B0 ‖ formatted AD)) ⊕ E(K, A0).
/// </remarks>
internal static class CcmEmptyMessage
{
    private const int Block = 16;
    private const int NonceLength = 12;
    private const int LengthFieldSize = 15 - NonceLength; // q = 3

    public static void ComputeTag(Aes aes, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, Span<byte> tag)
    {
        Span<byte> mac = stackalloc byte[Block];
        Span<byte> block = stackalloc byte[Block];

        // B0: flags = Adata·64 + ((t − 2)/2)·8 + (q − 1); then N; then Q = 0 (empty message).
        block.Clear();
        block[0] = (byte)((associatedData.IsEmpty ? 0 : 0x40) | (((tag.Length - 2) / 2) << 3) | (LengthFieldSize - 1));
        nonce.CopyTo(block[1..]);
        aes.EncryptEcb(block, mac, PaddingMode.None);

        if (!associatedData.IsEmpty)
        {
            MacAssociatedData(aes, associatedData, mac, block);
        }

        // A0 = flags (q − 1) ‖ N ‖ counter 0; S0 = E(K, A0); T = MSB_t(X) ⊕ S0.
        block.Clear();
        block[0] = LengthFieldSize - 1;
        nonce.CopyTo(block[1..]);
        aes.EncryptEcb(block, block, PaddingMode.None);
        for (int i = 0; i < tag.Length; i++)
        {
            tag[i] = (byte)(mac[i] ^ block[i]);
        }

        CryptographicOperations.ZeroMemory(mac);
        CryptographicOperations.ZeroMemory(block);
    }

    private static void MacAssociatedData(Aes aes, ReadOnlySpan<byte> associatedData, Span<byte> mac, Span<byte> block)
    {
        // The AD is prefixed by its encoded length (A.2.2): 2 bytes below 2^16 − 2^8, else 0xFFFE ‖ 4 bytes.
        Span<byte> prefix = stackalloc byte[6];
        int prefixLength;
        if (associatedData.Length < 0xFF00)
        {
            BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)associatedData.Length);
            prefixLength = 2;
        }
        else
        {
            prefix[0] = 0xFF;
            prefix[1] = 0xFE;
            BinaryPrimitives.WriteUInt32BigEndian(prefix[2..], (uint)associatedData.Length);
            prefixLength = 6;
        }

        int total = prefixLength + associatedData.Length;
        for (int offset = 0; offset < total; offset += Block)
        {
            block.Clear();
            for (int i = 0; i < Block && offset + i < total; i++)
            {
                int at = offset + i;
                block[i] = at < prefixLength ? prefix[at] : associatedData[at - prefixLength];
            }

            for (int i = 0; i < Block; i++)
            {
                block[i] ^= mac[i];
            }

            aes.EncryptEcb(block, mac, PaddingMode.None);
        }
    }
}
