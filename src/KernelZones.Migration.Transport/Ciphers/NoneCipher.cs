namespace KernelZones.Migration.Transport.Ciphers;

/// <summary>
/// <c>none</c>: copies the data and authenticates nothing. Chosen only when both hosts explicitly
/// allow it, inside the authenticated TLS negotiation (docs/design.md, invariant 8).
/// </summary>
internal sealed class NoneCipher : ICipher
{
    public string Name => CipherSuite.None;

    public int KeySize => 0;

    public int NonceSize => CipherArguments.NonceSize;

    public int TagSize => 0;

    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData = default)
    {
        CipherArguments.Check(nonce, plaintext, ciphertext, tag, tagSize: 0);
        plaintext.CopyTo(ciphertext);
    }

    public void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData = default)
    {
        CipherArguments.Check(nonce, ciphertext, plaintext, tag, tagSize: 0);
        ciphertext.CopyTo(plaintext);
    }

    public void Dispose()
    {
    }
}
