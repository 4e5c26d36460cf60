using System.Globalization;

namespace KernelZones.Migration.Storage;

/// <summary>
/// An <c>iscsi://</c> URI: <c>iscsi://[host[:port]]/luname.naa.ID</c> (or <c>luname.eui.ID</c>) or
/// <c>iscsi://[host[:port]]/target.IQN,lun.N</c>. IPv6 hosts are written in brackets. Shared storage.
/// </summary>
internal sealed class IscsiStorageUri : StorageUri
{
    /// <summary>The iSCSI port used when the URI names none: 3260.</summary>
    public const int DefaultPort = 3260;

    /// <summary>The largest logical unit number accepted.</summary>
    public const int MaxLun = 16383;

    private IscsiStorageUri(string? host, int? port, string? logicalUnitName, string? targetName, int? lun)
    {
        Host = host;
        Port = port;
        LogicalUnitName = logicalUnitName;
        TargetName = targetName;
        Lun = lun;
    }

    /// <inheritdoc/>
    public override StorageUriKind Kind => StorageUriKind.Iscsi;

    /// <summary>The SendTargets discovery host (lower case; IPv6 in brackets), or <see langword="null"/> for static discovery.</summary>
    public string? Host { get; }

    /// <summary>The port written in the URI, or <see langword="null"/> when absent.</summary>
    public int? Port { get; }

    /// <summary>The port to connect to: <see cref="Port"/> or <see cref="DefaultPort"/>.</summary>
    public int EffectivePort => Port ?? DefaultPort;

    /// <summary>The logical unit name (<c>naa.…</c>/<c>eui.…</c>), or <see langword="null"/> for the target form.</summary>
    public string? LogicalUnitName { get; }

    /// <summary>The target name (<c>iqn.…</c>), or <see langword="null"/> for the logical unit form.</summary>
    public string? TargetName { get; }

    /// <summary>The logical unit number of the target form, or <see langword="null"/>.</summary>
    public int? Lun { get; }

    /// <inheritdoc/>
    public override string ToString()
    {
        string authority = Host is null ? string.Empty : Port is null ? Host : $"{Host}:{Port.Value.ToString(CultureInfo.InvariantCulture)}";
        string unit = LogicalUnitName is not null
            ? "luname." + LogicalUnitName
            : $"target.{TargetName},lun.{Lun!.Value.ToString(CultureInfo.InvariantCulture)}";
        return $"iscsi://{authority}/{unit}";
    }

    internal static IscsiStorageUri? Read(ref StorageUriReader reader)
    {
        if (!reader.TryConsume("iscsi://"))
        {
            reader.Fail(StorageUriPart.Scheme, "expected iscsi://");
            return null;
        }

        if (!reader.TryReadAuthority(out string? host, out int? port))
        {
            return null;
        }

        if (!reader.TryConsume("/"))
        {
            reader.Fail(StorageUriPart.LogicalUnit, "expected '/' followed by luname.naa.ID or target.IQN,lun.N");
            return null;
        }

        ReadOnlySpan<char> unit = reader.Rest;
        if (unit.StartsWith("luname.", StringComparison.OrdinalIgnoreCase))
        {
            return LogicalUnitStorageUri.TryReadLuName(ref reader, unit, out string name) ? new IscsiStorageUri(host, port, name, null, null) : null;
        }

        return ReadTarget(ref reader, unit, host, port);
    }

    private static IscsiStorageUri? ReadTarget(ref StorageUriReader reader, ReadOnlySpan<char> unit, string? host, int? port)
    {
        int comma = unit.IndexOf(',');
        if (!unit.StartsWith("target.", StringComparison.OrdinalIgnoreCase) || comma < 0)
        {
            reader.Fail(StorageUriPart.Target, "expected luname.naa.ID, luname.eui.ID or target.IQN,lun.N");
            return null;
        }

        if (!ScsiNames.TryParseIscsiName(unit["target.".Length..comma], out string target))
        {
            reader.Fail(StorageUriPart.Target, "expected an iSCSI name such as iqn.1986-03.com.sun:02:d0f2d311");
            return null;
        }

        ReadOnlySpan<char> lunText = unit[(comma + 1)..];
        if (!lunText.StartsWith("lun.", StringComparison.OrdinalIgnoreCase)
            || lunText.Length is < 5 or > 9
            || !CharSets.AllDigits(lunText[4..])
            || !int.TryParse(lunText[4..], NumberStyles.None, CultureInfo.InvariantCulture, out int lun)
            || lun > MaxLun)
        {
            reader.Fail(StorageUriPart.Lun, $"expected lun. followed by a number from 0 to {MaxLun}");
            return null;
        }

        return new IscsiStorageUri(host, port, null, target, lun);
    }
}
