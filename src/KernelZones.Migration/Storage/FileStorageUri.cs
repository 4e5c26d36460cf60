namespace KernelZones.Migration.Storage;

/// <summary>A <c>file:///absolute/path</c> URI naming a local regular file. Not shared storage.</summary>
internal sealed class FileStorageUri : StorageUri
{
    private FileStorageUri(string path) => Path = path;

    /// <inheritdoc/>
    public override StorageUriKind Kind => StorageUriKind.File;

    /// <summary>The absolute file path.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public override string ToString() => "file://" + Path;

    internal static FileStorageUri? Read(ref StorageUriReader reader)
    {
        if (!reader.TryConsume("file://"))
        {
            reader.Fail(StorageUriPart.Scheme, "expected file:// followed by an absolute path");
            return null;
        }

        if (!reader.Rest.StartsWith('/'))
        {
            reader.Fail(StorageUriPart.Host, "file URIs take no host; expected file:///absolute/path");
            return null;
        }

        if (!StoragePaths.IsFilePath(reader.Rest))
        {
            reader.Fail(StorageUriPart.Path, "expected an absolute path without empty, '.' or '..' segments");
            return null;
        }

        return new FileStorageUri(reader.Rest.ToString());
    }
}
