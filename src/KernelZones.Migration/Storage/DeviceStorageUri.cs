namespace KernelZones.Migration.Storage;

/// <summary>
/// A <c>dev:</c> URI naming a local device: <c>dev:dsk/c0t0d0s0</c> (relative to <c>/dev</c>),
/// <c>dev:/dev/dsk/c0t0d0s0</c> or <c>dev:///dev/dsk/c0t0d0s0</c>. Canonical form: <c>dev:</c> + absolute path.
/// Not shared storage.
/// </summary>
internal sealed class DeviceStorageUri : StorageUri
{
    private DeviceStorageUri(string path) => Path = path;

    /// <inheritdoc/>
    public override StorageUriKind Kind => StorageUriKind.Device;

    /// <summary>The absolute device path, e.g. <c>/dev/zvol/dsk/rpool/VARSHARE/zones/kz1/disk0</c>.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public override string ToString() => "dev:" + Path;

    internal static DeviceStorageUri? Read(ref StorageUriReader reader)
    {
        reader.TryConsume("dev:");
        string path;
        if (reader.TryConsume("//"))
        {
            path = reader.Rest.ToString();
        }
        else if (reader.Rest.StartsWith('/'))
        {
            path = reader.Rest.ToString();
        }
        else
        {
            path = "/dev/" + reader.Rest.ToString();
        }

        if (!StoragePaths.IsDevicePath(path))
        {
            reader.Fail(StorageUriPart.Path, "expected a device path of [0-9a-zA-Z._-] segments, e.g. dsk/c0t0d0s0 or /dev/dsk/c0t0d0s0");
            return null;
        }

        return new DeviceStorageUri(path);
    }
}
