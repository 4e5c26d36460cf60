using KernelZones.Migration.Storage;

namespace KernelZones.Migration.Configuration;

/// <summary>
/// The storage of one <c>device</c> or of the <c>suspend</c> resource: the expanded URI, the template it came
/// from (if any) and the resource's id. Immutable.
/// </summary>
internal sealed class ZoneStorage
{
    private ZoneStorage(ZoneResource resource, StorageUri uri, string? template)
    {
        Resource = resource;
        Uri = uri;
        Template = template;
    }

    /// <summary>The resource the storage belongs to.</summary>
    public ZoneResource Resource { get; }

    /// <summary>The resource type: <c>device</c> or <c>suspend</c>.</summary>
    public string ResourceType => Resource.Type;

    /// <summary>The resource id, or <see langword="null"/> (always for <c>suspend</c>).</summary>
    public int? Id => Resource.Id;

    /// <summary>The storage URI with templates expanded.</summary>
    public StorageUri Uri { get; }

    /// <summary>The template text (<c>storage.template</c>), or <see langword="null"/> when the value has no tokens.</summary>
    public string? Template { get; }

    /// <summary>Whether the storage is reachable from other hosts (see <see cref="StorageUri.IsShared"/>).</summary>
    public bool IsShared => Uri.IsShared;

    /// <summary>e.g. <c>device 0: nfs://zoss:zoss@kzx-05/zones/zoss/mig1.disk0</c>.</summary>
    public override string ToString() => $"{Resource}: {Uri}";

    internal static IReadOnlyList<ZoneStorage> Collect(ZoneConfiguration configuration)
    {
        var storage = new List<ZoneStorage>();
        foreach (ZoneResource resource in configuration.Resources)
        {
            if (resource.Type is "device" or "suspend" && configuration.GetExpandedValue(resource, "storage") is string expanded)
            {
                string raw = resource.GetValue("storage")!;
                storage.Add(new ZoneStorage(resource, StorageUri.Parse(expanded), raw.Contains('%', StringComparison.Ordinal) ? raw : null));
            }
        }

        return storage;
    }
}
