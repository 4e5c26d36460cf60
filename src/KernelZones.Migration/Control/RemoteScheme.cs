namespace KernelZones.Migration.Control;

/// <summary>How the source authenticates to the destination's control service.</summary>
public enum RemoteScheme
{
    /// <summary><c>rads://</c> (and the bare <c>host</c> forms): TLS plus a password.</summary>
    Rads = 0,

    /// <summary><c>ssh://</c>: TLS plus proof of possession of the user's private key.</summary>
    Ssh = 1,
}
