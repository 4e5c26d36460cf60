namespace KernelZones.Migration.Storage;

/// <summary>The part of a storage URI that a <see cref="StorageUriFormatException"/> is about.</summary>
internal enum StorageUriPart
{
    /// <summary>The URI as a whole (empty, too long, control characters).</summary>
    Whole,

    /// <summary>The scheme (<c>dev</c>, <c>lu</c>, <c>iscsi</c>, <c>nfs</c>, <c>file</c>).</summary>
    Scheme,

    /// <summary>The host name or address.</summary>
    Host,

    /// <summary>The TCP port.</summary>
    Port,

    /// <summary>The path (device path, NFS share path, file path).</summary>
    Path,

    /// <summary>The user of an NFS URI.</summary>
    User,

    /// <summary>The group of an NFS URI.</summary>
    Group,

    /// <summary>A logical unit name (<c>luname.naa.</c>/<c>luname.eui.</c>).</summary>
    LogicalUnit,

    /// <summary>An initiator port name of a <c>lu:</c> URI.</summary>
    Initiator,

    /// <summary>A target name (<c>target.naa.</c> of <c>lu:</c>, <c>target.iqn...</c> of <c>iscsi:</c>).</summary>
    Target,

    /// <summary>The logical unit number of an iSCSI target URI.</summary>
    Lun,
}
