namespace KernelZones.Migration.Storage;

/// <summary>
/// A storage URI as used by zone <c>device</c> and <c>suspend</c> resources (suri(7)):
/// <c>dev:</c>, <c>lu:</c>, <c>iscsi://</c>, <c>nfs://</c> or <c>file://</c>.
/// Instances are immutable and thread-safe; two URIs are equal when their canonical forms are equal.
/// </summary>
internal abstract class StorageUri : IEquatable<StorageUri>
{
    /// <summary>The longest URI accepted, in characters.</summary>
    public const int MaxLength = 1024;

    private protected StorageUri()
    {
    }

    /// <summary>The scheme of this URI.</summary>
    public abstract StorageUriKind Kind { get; }

    /// <summary>
    /// Whether the storage can be reached from more than one host (nfs, iscsi, lu: yes; dev, file: no).
    /// Live migration needs every device and the suspend resource on shared storage.
    /// </summary>
    public bool IsShared => Kind is StorageUriKind.Nfs or StorageUriKind.Iscsi or StorageUriKind.LogicalUnit;

    /// <summary>Parses a storage URI.</summary>
    /// <param name="text">The URI text, at most <see cref="MaxLength"/> characters.</param>
    /// <returns>The parsed URI, of the subtype matching its scheme.</returns>
    /// <exception cref="StorageUriFormatException">The text is not a valid storage URI.</exception>
    public static StorageUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        StorageUri? uri = TryParseCore(text, out StorageUriFormatException? error);
        return uri ?? throw error!;
    }

    /// <summary>Parses a storage URI without throwing.</summary>
    /// <param name="text">The URI text; <see langword="null"/> gives <see langword="false"/>.</param>
    /// <param name="uri">The parsed URI, or <see langword="null"/>.</param>
    /// <returns>Whether the text is a valid storage URI.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out StorageUri? uri)
    {
        uri = text is null ? null : TryParseCore(text, out _);
        return uri is not null;
    }

    /// <summary>The canonical text of this URI.</summary>
    public abstract override string ToString();

    /// <inheritdoc/>
    public bool Equals(StorageUri? other) => other is not null && string.Equals(ToString(), other.ToString(), StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is StorageUri other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    private static StorageUri? TryParseCore(string text, out StorageUriFormatException? error)
    {
        var reader = new StorageUriReader(text);
        if (!reader.CheckWhole())
        {
            error = reader.Error;
            return null;
        }

        StorageUri? uri = text switch
        {
            _ when text.StartsWith("dev:", StringComparison.OrdinalIgnoreCase) => DeviceStorageUri.Read(ref reader),
            _ when text.StartsWith("lu:", StringComparison.OrdinalIgnoreCase) => LogicalUnitStorageUri.Read(ref reader),
            _ when text.StartsWith("iscsi:", StringComparison.OrdinalIgnoreCase) => IscsiStorageUri.Read(ref reader),
            _ when text.StartsWith("nfs:", StringComparison.OrdinalIgnoreCase) => NfsStorageUri.Read(ref reader),
            _ when text.StartsWith("file:", StringComparison.OrdinalIgnoreCase) => FileStorageUri.Read(ref reader),
            _ => reader.Fail(StorageUriPart.Scheme, "expected dev:, lu:, iscsi://, nfs:// or file://"),
        };
        error = reader.Error;
        return uri;
    }
}
