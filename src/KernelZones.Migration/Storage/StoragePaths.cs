namespace KernelZones.Migration.Storage;

/// <summary>Checks the absolute paths inside storage URIs.</summary>
internal static class StoragePaths
{
    /// <summary>Device paths: segments of [0-9a-zA-Z._-] (suri(7)).</summary>
    public static bool IsDevicePath(ReadOnlySpan<char> path) => IsAbsolute(path, static c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>File and NFS paths: segments of letters, digits and <c>._-+,=~@:</c>.</summary>
    public static bool IsFilePath(ReadOnlySpan<char> path) => IsAbsolute(path, static c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' or ',' or '=' or '~' or '@' or ':');

    private static bool IsAbsolute(ReadOnlySpan<char> path, Func<char, bool> allowed)
    {
        if (path.Length < 2 || path[0] != '/')
        {
            return false;
        }

        foreach (Range range in path[1..].Split('/'))
        {
            ReadOnlySpan<char> segment = path[1..][range];
            if (segment.IsEmpty || segment is "." or "..")
            {
                return false;
            }

            foreach (char c in segment)
            {
                if (!allowed(c))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
