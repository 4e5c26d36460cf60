using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KernelZones.Migration.Control;

/// <summary>
/// A destination as <c>zoneadm migrate</c> takes it: <c>host</c>, <c>host:port</c>, <c>user@host</c>,
/// <c>rads://[user@]host[:port]</c> or <c>ssh://[user@]host[:port]</c>; IPv6 addresses in brackets.
/// </summary>
/// <remarks>Immutable and thread-safe. The bare forms mean <c>rads</c>; the default port is <see cref="DefaultPort"/>.</remarks>
public sealed record RemoteAddress
{
    /// <summary>The control service's default TCP port, the RAD TLS port: 12302.</summary>
    public const int DefaultPort = 12302;

    /// <summary>The forms <see cref="Parse"/> accepts, as shown in its errors.</summary>
    public const string AcceptedForms =
        "host, host:port, user@host, user@host:port, rads://[user@]host[:port], ssh://[user@]host[:port] (IPv6 addresses in brackets, e.g. [2001:db8::1]:12302)";

    /// <summary>Creates an address from its parts.</summary>
    /// <param name="scheme">How to authenticate.</param>
    /// <param name="user">The remote user, or <see langword="null"/> for the caller's current user.</param>
    /// <param name="host">A DNS name, an IPv4 address, or an IPv6 address without brackets.</param>
    /// <param name="port">1 to 65535.</param>
    /// <exception cref="MigrationException">A part is invalid (<see cref="MigrationFailureKind.InvalidAddress"/>).</exception>
    public RemoteAddress(RemoteScheme scheme, string? user, string host, int port = DefaultPort)
    {
        ArgumentNullException.ThrowIfNull(host);
        Validate(host, user, host, port);
        Scheme = scheme;
        User = user;
        Host = host;
        Port = port;
    }

    /// <summary>How to authenticate.</summary>
    public RemoteScheme Scheme { get; }

    /// <summary>The remote user; <see langword="null"/> means the caller's current user.</summary>
    public string? User { get; }

    /// <summary>The host: a DNS name, an IPv4 address, or an IPv6 address (without brackets).</summary>
    public string Host { get; }

    /// <summary>The TCP port.</summary>
    public int Port { get; }

    /// <summary>Whether <see cref="Host"/> is an IPv6 address literal.</summary>
    public bool IsIPv6Literal => Host.Contains(':', StringComparison.Ordinal);

    /// <summary>The host and port as known-hosts files and URIs write them: <c>host:port</c>, or <c>[v6]:port</c>.</summary>
    public string HostAndPort => (IsIPv6Literal ? "[" + Host + "]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses any accepted form.</summary>
    /// <param name="text">The address as the operator typed it.</param>
    /// <exception cref="MigrationException">Not an accepted form; the message lists <see cref="AcceptedForms"/> (<see cref="MigrationFailureKind.InvalidAddress"/>).</exception>
    public static RemoteAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        RemoteScheme scheme = RemoteScheme.Rads;
        string rest = text;
        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            scheme = text[..schemeEnd] switch
            {
                "rads" => RemoteScheme.Rads,
                "ssh" => RemoteScheme.Ssh,
                _ => throw Invalid(text, $"unknown scheme '{text[..schemeEnd]}'"),
            };
            rest = text[(schemeEnd + 3)..];
        }

        string? user = null;
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            user = rest[..at];
            rest = rest[(at + 1)..];
        }

        (string host, int port) = SplitHostPort(text, rest);
        Validate(text, user, host, port);
        return new RemoteAddress(scheme, user, host, port);
    }

    /// <summary>The canonical URI form, <c>rads://user@host:port</c> (the user is left out when not set).</summary>
    public override string ToString()
    {
        string scheme = Scheme == RemoteScheme.Ssh ? "ssh" : "rads";
        return User is null ? $"{scheme}://{HostAndPort}" : $"{scheme}://{User}@{HostAndPort}";
    }

    private static (string Host, int Port) SplitHostPort(string text, string rest)
    {
        string host = rest;
        string? portText = null;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Invalid(text, "missing ']' after the IPv6 address");
            }

            host = rest[1..close];
            if (!IPAddress.TryParse(host, out IPAddress? v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw Invalid(text, $"'{host}' in brackets is not an IPv6 address");
            }

            string after = rest[(close + 1)..];
            if (after.Length > 0)
            {
                portText = after.StartsWith(':') ? after[1..] : throw Invalid(text, $"unexpected '{after}' after the IPv6 address");
            }
        }
        else
        {
            int colon = rest.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                if (rest.IndexOf(':', colon + 1) >= 0)
                {
                    throw Invalid(text, "IPv6 addresses must be written in brackets");
                }

                host = rest[..colon];
                portText = rest[(colon + 1)..];
            }
        }

        int port = DefaultPort;
        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw Invalid(text, $"port '{portText}' is not a number from 1 to 65535");
        }

        return (host, port);
    }

    private static void Validate(string text, string? user, string host, int port)
    {
        if (user is not null && !IsValidUser(user))
        {
            throw Invalid(text, $"user name '{user}' may contain only letters, digits, '.', '_' and '-'");
        }

        if (!IsValidHost(host))
        {
            throw Invalid(text, $"'{host}' is not a host name or IP address");
        }

        if (port is < 1 or > 65535)
        {
            throw Invalid(text, $"port {port} is outside 1-65535");
        }
    }

    private static bool IsValidUser(string user) =>
        user.Length is > 0 and <= 64 && user.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static bool IsValidHost(string host)
    {
        if (host.Length is 0 or > 253)
        {
            return false;
        }

        if (host.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(host, out IPAddress? address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return host.Split('.').All(label => label.Length is > 0 and <= 63
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            && label[0] != '-' && label[^1] != '-');
    }

    private static MigrationException Invalid(string text, string reason) =>
        new(MigrationFailureKind.InvalidAddress, $"invalid remote address '{text}': {reason}; accepted forms: {AcceptedForms}.");
}
