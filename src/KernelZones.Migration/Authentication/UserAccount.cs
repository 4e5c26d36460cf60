namespace KernelZones.Migration.Authentication;

/// <summary>A user of the destination's control service.</summary>
/// <param name="Name">The user name.</param>
/// <param name="Password">The password verifier, or <see langword="null"/> when the user may only use key-based authentication.</param>
/// <param name="Authorization">The zones the user may migrate in.</param>
/// <param name="AuthorizedKeys">The public keys accepted for <c>ssh://</c> authentication.</param>
public sealed record UserAccount(string Name, PasswordVerifier? Password, ZoneAuthorization Authorization, AuthorizedKeys AuthorizedKeys);
