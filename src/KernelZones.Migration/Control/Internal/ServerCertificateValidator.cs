using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using KernelZones.Migration.Diagnostics;

namespace KernelZones.Migration.Control.Internal;

/// <summary>
/// Decides whether to trust the destination's certificate: pinned fingerprint (known-hosts mode, with
/// optional trust on first use) or CA chain plus host name. Records why it refused, for the error.
/// </summary>
internal sealed class ServerCertificateValidator
{
    private readonly RemoteAddress _address;
    private readonly ControlClientOptions _options;
    private string? _pendingPin;

    public ServerCertificateValidator(RemoteAddress address, ControlClientOptions options)
    {
        _address = address;
        _options = options;
    }

    /// <summary>Why the certificate was refused, or <see langword="null"/>.</summary>
    public string? Failure { get; private set; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            Failure = $"{_address.HostAndPort} presented no certificate";
            return false;
        }

        return _options.KnownHostsPath is { } path ? ValidatePinned(path, certificate) : ValidateChain(certificate, errors);
    }

    /// <summary>Writes a trust-on-first-use pin once the handshake has succeeded, and logs it (the operator's only notice).</summary>
    public void CommitPin()
    {
        if (_pendingPin is not null && _options.KnownHostsPath is { } path)
        {
            new KnownHosts(path).Add(_address.HostAndPort, _pendingPin);
            if (_options.LoggerFactory is { } loggers)
            {
                MigrationLog.HostPinnedOnFirstUse(loggers.CreateLogger("KernelZones.Migration.Control"), _address.HostAndPort, _pendingPin);
            }
        }
    }

    private bool ValidatePinned(string path, X509Certificate certificate)
    {
        string presented = ServerIdentity.ComputeFingerprint(certificate);
        string? pinned = new KnownHosts(path).Find(_address.HostAndPort);
        if (pinned is null)
        {
            if (_options.TrustOnFirstUse)
            {
                _pendingPin = presented;
                return true;
            }

            Failure = $"the certificate of {_address.HostAndPort} is not pinned in {path} (fingerprint {presented}); " +
                "verify the fingerprint with the destination's operator and add it, or allow trust on first use";
            return false;
        }

        if (string.Equals(pinned, presented, StringComparison.Ordinal))
        {
            return true;
        }

        Failure = KnownHosts.ChangedWarning(_address.HostAndPort, pinned, presented, path);
        return false;
    }

    private bool ValidateChain(X509Certificate certificate, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            Failure = $"the certificate of {_address.HostAndPort} does not name '{_address.Host}'";
            return false;
        }

        if (_options.TrustedRoots is not { Count: > 0 } roots)
        {
            Failure = errors == SslPolicyErrors.None ? null : $"the certificate of {_address.HostAndPort} is not trusted: {errors}";
            return errors == SslPolicyErrors.None;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        if (custom.Build(leaf))
        {
            return true;
        }

        Failure = $"the certificate of {_address.HostAndPort} does not chain to a trusted root: " +
            string.Join("; ", custom.ChainStatus.Select(s => s.StatusInformation.Trim()));
        return false;
    }
}
