namespace KernelZones.Migration.Negotiation;

/// <summary>What <c>zoneadm migrate -c list</c> shows: the ciphers each host supports, in preference order.</summary>
/// <param name="Source">The source's ciphers.</param>
/// <param name="Destination">The destination's ciphers.</param>
public sealed record CipherList(IReadOnlyList<string> Source, IReadOnlyList<string> Destination)
{
    /// <summary>The two lines, <c>source ciphers: aes-128-ccm aes-128-gcm none</c> and <c>destination ciphers: ...</c>.</summary>
    public IReadOnlyList<string> Lines => [$"source ciphers: {string.Join(' ', Source)}", $"destination ciphers: {string.Join(' ', Destination)}"];

    /// <summary>The two lines joined by a newline.</summary>
    public override string ToString() => string.Join('\n', Lines);
}
