using KernelZones.Migration.Storage;

namespace KernelZones.Migration.Configuration;

/// <summary>One reason a configuration cannot be live-migrated, naming the resource, its id and its URI.</summary>
internal sealed class LiveMigrationProblem
{
    internal LiveMigrationProblem(LiveMigrationProblemKind kind, string message, ZoneResource? resource = null, StorageUri? uri = null)
    {
        Kind = kind;
        Message = message;
        Resource = resource;
        Uri = uri;
    }

    /// <summary>The kind of problem.</summary>
    public LiveMigrationProblemKind Kind { get; }

    /// <summary>An operator-facing sentence, e.g. "device 0: storage dev:/dev/... is not shared storage".</summary>
    public string Message { get; }

    /// <summary>The resource at fault, or <see langword="null"/> for global problems (brand, missing capped-memory).</summary>
    public ZoneResource? Resource { get; }

    /// <summary>The resource type at fault, or <see langword="null"/>.</summary>
    public string? ResourceType => Resource?.Type;

    /// <summary>The id of the resource at fault, or <see langword="null"/>.</summary>
    public int? ResourceId => Resource?.Id;

    /// <summary>The offending storage URI, or <see langword="null"/>.</summary>
    public StorageUri? Uri { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}
