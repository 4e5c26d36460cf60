using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KernelZones.Migration.Storage;

/// <summary>A forward-only cursor over storage URI text that records the first error.</summary>
internal ref struct StorageUriReader
{
    private const int MaxHostLength = 253;

    public StorageUriReader(string text)
    {
        Text = text;
        Position = 0;
        Error = null;
    }

    public string Text { get; }

    public int Position { get; private set; }

    public StorageUriFormatException? Error { get; private set; }

    public readonly ReadOnlySpan<char> Rest => Text.AsSpan(Position);

    public bool CheckWhole()
    {
        if (Text.Length == 0)
        {
            Fail(StorageUriPart.Whole, "is empty");
            return false;
        }

        if (Text.Length > StorageUri.MaxLength)
        {
            Fail(StorageUriPart.Whole, $"is longer than {StorageUri.MaxLength} characters");
            return false;
        }

        foreach (char c in Text)
        {
            if (c <= ' ' || c >= '\u007f')
            {
                Fail(StorageUriPart.Whole, "contains a space, a control character or a non-ASCII character");
                return false;
            }
        }

        return true;
    }

    public bool TryConsume(string prefix)
    {
        if (Rest.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            Position += prefix.Length;
            return true;
        }

        return false;
    }

    /// <summary>Takes everything up to (not including) <paramref name="stop"/> or the end.</summary>
    public ReadOnlySpan<char> TakeUntil(char stop)
    {
        ReadOnlySpan<char> rest = Rest;
        int end = rest.IndexOf(stop);
        ReadOnlySpan<char> taken = end < 0 ? rest : rest[..end];
        Position += taken.Length;
        return taken;
    }

    public StorageUri? Fail(StorageUriPart part, string reason)
    {
        Error ??= new StorageUriFormatException(Text, part, reason);
        return null;
    }

    /// <summary>Reads <c>host[:port]</c> (IPv6 in brackets) up to the next '/'; an empty authority gives a null host.</summary>
    public bool TryReadAuthority(out string? host, out int? port)
    {
        host = null;
        port = null;
        ReadOnlySpan<char> authority = TakeUntil('/');
        if (authority.IsEmpty)
        {
            return true;
        }

        ReadOnlySpan<char> portText = default;
        bool hasPort;
        if (authority[0] == '[')
        {
            int close = authority.IndexOf(']');
            if (close < 0)
            {
                Fail(StorageUriPart.Host, "IPv6 address has no closing ']'");
                return false;
            }

            if (!IPAddress.TryParse(authority[1..close], out IPAddress? address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                Fail(StorageUriPart.Host, "is not a valid IPv6 address");
                return false;
            }

            host = "[" + address.ToString() + "]";
            ReadOnlySpan<char> after = authority[(close + 1)..];
            hasPort = !after.IsEmpty;
            if (hasPort && after[0] != ':')
            {
                Fail(StorageUriPart.Host, "expected ':' or '/' after the IPv6 address");
                return false;
            }

            portText = hasPort ? after[1..] : default;
        }
        else
        {
            int colon = authority.IndexOf(':');
            ReadOnlySpan<char> name = colon < 0 ? authority : authority[..colon];
            hasPort = colon >= 0;
            portText = hasPort ? authority[(colon + 1)..] : default;
            if (!IsHostName(name))
            {
                Fail(StorageUriPart.Host, "expected a host name, an IPv4 address or an IPv6 address in brackets");
                return false;
            }

            host = name.ToString().ToLowerInvariant();
        }

        if (hasPort)
        {
            if (!TryParsePort(portText, out int value))
            {
                Fail(StorageUriPart.Port, "must be a number from 1 to 65535");
                return false;
            }

            port = value;
        }

        return true;
    }

    private static bool TryParsePort(ReadOnlySpan<char> text, out int port)
    {
        port = 0;
        return text.Length is > 0 and <= 5
            && CharSets.AllDigits(text)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port)
            && port is >= 1 and <= 65535;
    }

    private static bool IsHostName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxHostLength)
        {
            return false;
        }

        foreach (Range range in name.Split('.'))
        {
            ReadOnlySpan<char> label = name[range];
            if (label.IsEmpty || label.Length > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (char c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }
        }

        return true;
    }
}
