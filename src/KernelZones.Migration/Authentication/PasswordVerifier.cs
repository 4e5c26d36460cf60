using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KernelZones.Migration.Authentication;

/// <summary>
/// A salted PBKDF2-HMAC-SHA256 verifier of a password (never the password itself), written
/// <c>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt, base64&gt;$&lt;hash, base64&gt;</c>.
/// </summary>
/// <remarks>Immutable and thread-safe. Each verification costs the full iteration count (about 0.3 s at 600,000).</remarks>
public sealed class PasswordVerifier
{
    /// <summary>The least iteration count accepted: 600,000, OWASP's 2023 figure for PBKDF2-HMAC-SHA256.</summary>
    public const int MinimumIterations = 600_000;

    private const string Scheme = "pbkdf2-sha256";
    private const int SaltSize = 16;
    private const int HashSize = 32;
    private readonly byte[] _salt;
    private readonly byte[] _hash;
    private long _verifications;

    private PasswordVerifier(int iterations, byte[] salt, byte[] hash)
    {
        Iterations = iterations;
        _salt = salt;
        _hash = hash;
    }

    /// <summary>The PBKDF2 iteration count.</summary>
    public int Iterations { get; }

    /// <summary>Creates a verifier for <paramref name="password"/> with a fresh 16-byte random salt.</summary>
    /// <param name="password">The password; any non-empty string.</param>
    /// <param name="iterations">At least <see cref="MinimumIterations"/> (the default).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iterations"/> is below the minimum.</exception>
    /// <exception cref="ArgumentException">The password is empty.</exception>
    public static PasswordVerifier Create(string password, int iterations = MinimumIterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinimumIterations);
        return CreateUnchecked(password, iterations);
    }

    /// <summary>Parses the text form.</summary>
    /// <exception cref="MigrationException">Not a verifier, or fewer than <see cref="MinimumIterations"/> iterations (<see cref="MigrationFailureKind.Credentials"/>).</exception>
    public static PasswordVerifier Parse(string text) => Parse(text, MinimumIterations);

    /// <summary>Whether <paramref name="password"/> matches, compared in constant time.</summary>
    public bool Verify(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        Interlocked.Increment(ref _verifications);
        byte[] candidate = Derive(password, _salt, Iterations);
        bool match = CryptographicOperations.FixedTimeEquals(candidate, _hash);
        CryptographicOperations.ZeroMemory(candidate);
        return match;
    }

    /// <summary>The text form, <c>pbkdf2-sha256$iterations$salt$hash</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Scheme}${Iterations}${Convert.ToBase64String(_salt)}${Convert.ToBase64String(_hash)}");

    /// <summary>How many times <see cref="Verify"/> ran on this instance (tests use it to see which path an attempt took).</summary>
    internal long Verifications => Interlocked.Read(ref _verifications);

    /// <summary>
    /// A verifier of random salt and hash that matches no password but costs the same <paramref name="iterations"/> to
    /// check, so that an unknown user takes as long to refuse as a wrong password (no user-existence timing leak).
    /// </summary>
    internal static PasswordVerifier CreateDecoy(int iterations) =>
        new(iterations, RandomNumberGenerator.GetBytes(SaltSize), RandomNumberGenerator.GetBytes(HashSize));

    /// <summary>Test hook: any iteration count, so that tests need not pay 0.3 s per verifier.</summary>
    internal static PasswordVerifier CreateUnchecked(string password, int iterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        byte[] salt = RandomNumberGenerator.GetBytes(SaltSize);
        return new PasswordVerifier(iterations, salt, Derive(password, salt, iterations));
    }

    internal static PasswordVerifier Parse(string text, int minimumIterations)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme)
        {
            throw Invalid($"a password verifier has the form {Scheme}$<iterations>$<salt base64>$<hash base64>");
        }

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int iterations) || iterations < minimumIterations)
        {
            throw Invalid($"the iteration count '{parts[1]}' is not a number of at least {minimumIterations}");
        }

        byte[] salt = DecodeBase64(parts[2], "salt");
        byte[] hash = DecodeBase64(parts[3], "hash");
        if (salt.Length < SaltSize || hash.Length != HashSize)
        {
            throw Invalid($"the salt must have at least {SaltSize} bytes and the hash exactly {HashSize}");
        }

        return new PasswordVerifier(iterations, salt, hash);
    }

    private static byte[] DecodeBase64(string text, string part)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            throw Invalid($"the {part} is not base64", e);
        }
    }

    private static MigrationException Invalid(string problem, Exception? inner = null) =>
        new(MigrationFailureKind.Credentials, $"invalid password verifier: {problem}", inner);

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashSize);
}
