namespace KernelZones.Migration.Storage;

/// <summary>The scheme of a storage URI (suri(7)).</summary>
internal enum StorageUriKind
{
    /// <summary><c>dev:</c> — a local device path; not shared between hosts.</summary>
    Device,

    /// <summary><c>lu:</c> — a Fibre Channel or SAS logical unit; shared.</summary>
    LogicalUnit,

    /// <summary><c>iscsi://</c> — an iSCSI logical unit; shared.</summary>
    Iscsi,

    /// <summary><c>nfs://</c> — a file on an NFS share used through lofi; shared.</summary>
    Nfs,

    /// <summary><c>file://</c> — a local regular file; not shared.</summary>
    File,
}
