namespace KernelZones.Migration.Configuration;

/// <summary>Live-migration requirements.</summary>
public sealed partial class ZoneConfiguration
{
    /// <summary>
    /// Lists every reason this configuration cannot be live-migrated: a brand other than <c>solaris-kz</c>,
    /// <c>capped-memory physical</c> unset, and each <c>device</c> or <c>suspend</c> not on shared storage
    /// (nfs, iscsi, lu). An empty list means the configuration qualifies.
    /// </summary>
    internal IReadOnlyList<LiveMigrationProblem> ValidateForLiveMigration()
    {
        var problems = new List<LiveMigrationProblem>();
        if (!IsKernelZone)
        {
            problems.Add(new(LiveMigrationProblemKind.NotKernelZone, $"brand is '{Brand}'; only solaris-kz zones can be live-migrated"));
        }

        if (PhysicalMemory is null)
        {
            problems.Add(new(LiveMigrationProblemKind.MemoryNotCapped, "capped-memory physical is not set"));
        }

        foreach (ZoneResource resource in Resources)
        {
            if (resource.Type is "device" or "suspend")
            {
                AddStorageProblem(resource, problems);
            }
        }

        return problems;
    }

    private void AddStorageProblem(ZoneResource resource, List<LiveMigrationProblem> problems)
    {
        bool isDevice = resource.Type == "device";
        ZoneStorage? storage = null;
        foreach (ZoneStorage candidate in Storage)
        {
            storage = ReferenceEquals(candidate.Resource, resource) ? candidate : storage;
        }

        if (storage is null)
        {
            string local = isDevice ? $"match {GetExpandedValue(resource, "match") ?? "not specified"}" : $"path {GetExpandedValue(resource, "path") ?? "not specified"}";
            problems.Add(new(
                isDevice ? LiveMigrationProblemKind.DeviceWithoutStorage : LiveMigrationProblemKind.SuspendNotShared,
                $"{resource}: no storage URI ({local}); live migration needs shared storage (nfs, iscsi or lu)",
                resource));
        }
        else if (!storage.IsShared)
        {
            problems.Add(new(
                isDevice ? LiveMigrationProblemKind.DeviceNotShared : LiveMigrationProblemKind.SuspendNotShared,
                $"{resource}: storage {storage.Uri} is not shared storage; live migration needs nfs, iscsi or lu",
                resource,
                storage.Uri));
        }
    }
}
