namespace KernelZones.Migration.Transport.Ciphers;

/// <summary>Argument checks shared by every <see cref="ICipher"/> implementation.</summary>
internal static class CipherArguments
{
    public const int NonceSize = 12;

    public static void Check(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, ReadOnlySpan<byte> output, ReadOnlySpan<byte> tag, int tagSize)
    {
        if (nonce.Length != NonceSize)
        {
            ThrowHelper.ThrowArgument(nameof(nonce), $"The nonce must be {NonceSize} bytes, not {nonce.Length}.");
        }

        if (output.Length != input.Length)
        {
            ThrowHelper.ThrowArgument(nameof(output), $"The output must be as long as the input ({input.Length} bytes), not {output.Length}.");
        }

        if (tag.Length != tagSize)
        {
            ThrowHelper.ThrowArgument(nameof(tag), $"The tag must be {tagSize} bytes, not {tag.Length}.");
        }

        // In-place (exact overlap) is fine; a shifted overlap would read bytes already overwritten.
        if (input.Overlaps(output, out int offset) && offset != 0)
        {
            ThrowHelper.ThrowArgument(nameof(output), "The input and output overlap partially; they must be the same memory or not overlap at all.");
        }
    }

    public static void CheckKey(ReadOnlySpan<byte> key, int keySize, string cipherName)
    {
        if (key.Length != keySize)
        {
            ThrowHelper.ThrowArgument(nameof(key), $"The {cipherName} key must be {keySize} bytes, not {key.Length}.");
        }
    }
}
