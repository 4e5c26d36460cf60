namespace KernelZones.Migration.Storage;

/// <summary>
/// Thrown when text is not a valid storage URI; names the offending <see cref="Part"/> and why.
/// </summary>
internal sealed class StorageUriFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="uri">The text that was parsed (shortened to 256 characters in the message).</param>
    /// <param name="part">The part of the URI that is wrong.</param>
    /// <param name="reason">Why that part is wrong, e.g. "port must be 1-65535".</param>
    public StorageUriFormatException(string uri, StorageUriPart part, string reason)
        : base($"invalid storage URI '{Shorten(uri)}': {PartName(part)}: {reason}")
    {
        Uri = uri;
        Part = part;
        Reason = reason;
    }

    /// <summary>The text that was parsed.</summary>
    public string Uri { get; }

    /// <summary>The part of the URI that is wrong.</summary>
    public StorageUriPart Part { get; }

    /// <summary>Why the part is wrong.</summary>
    public string Reason { get; }

    private static string Shorten(string text) => text.Length <= 256 ? text : string.Concat(text.AsSpan(0, 256), "...");

    private static string PartName(StorageUriPart part) => part switch
    {
        StorageUriPart.Whole => "URI",
        StorageUriPart.Scheme => "scheme",
        StorageUriPart.Host => "host",
        StorageUriPart.Port => "port",
        StorageUriPart.Path => "path",
        StorageUriPart.User => "user",
        StorageUriPart.Group => "group",
        StorageUriPart.LogicalUnit => "logical unit name",
        StorageUriPart.Initiator => "initiator",
        StorageUriPart.Target => "target",
        StorageUriPart.Lun => "lun",
        _ => part.ToString(),
    };
}
