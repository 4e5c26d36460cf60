namespace KernelZones.Migration.Transport.Tests.Ciphers;

/// <summary>A published known-answer vector, typed in as hex exactly as its source document prints it.</summary>
/// <param name="Source">The document and the case within it.</param>
/// <param name="CipherName">The suite name the vector's parameters match.</param>
public sealed record AeadVector(
    string Source,
    string CipherName,
    string Key,
    string Nonce,
    string AssociatedData,
    string Plaintext,
    string Ciphertext,
    string Tag)
{
    public byte[] KeyBytes => Convert.FromHexString(Key);

    public byte[] NonceBytes => Convert.FromHexString(Nonce);

    public byte[] AssociatedDataBytes => Convert.FromHexString(AssociatedData);

    public byte[] PlaintextBytes => Convert.FromHexString(Plaintext);

    public byte[] CiphertextBytes => Convert.FromHexString(Ciphertext);

    public byte[] TagBytes => Convert.FromHexString(Tag);
}
