namespace KernelZones.Migration.Storage;

/// <summary>
/// A <c>lu:</c> URI naming a Fibre Channel or SAS logical unit: <c>lu:luname.naa.ID</c>, <c>lu:luname.eui.ID</c>
/// or <c>lu:initiator.naa.ID,target.naa.ID,luname.naa.ID</c>. IDs are lower-cased. Shared storage.
/// </summary>
internal sealed class LogicalUnitStorageUri : StorageUri
{
    private LogicalUnitStorageUri(string? initiator, string? target, string logicalUnitName)
    {
        Initiator = initiator;
        Target = target;
        LogicalUnitName = logicalUnitName;
    }

    /// <inheritdoc/>
    public override StorageUriKind Kind => StorageUriKind.LogicalUnit;

    /// <summary>The initiator port name (<c>naa.…</c>), or <see langword="null"/> when any path may be used.</summary>
    public string? Initiator { get; }

    /// <summary>The target port name (<c>naa.…</c>), or <see langword="null"/> when any path may be used.</summary>
    public string? Target { get; }

    /// <summary>The logical unit name, <c>naa.…</c> or <c>eui.…</c>.</summary>
    public string LogicalUnitName { get; }

    /// <inheritdoc/>
    public override string ToString() => Initiator is null
        ? "lu:luname." + LogicalUnitName
        : $"lu:initiator.{Initiator},target.{Target},luname.{LogicalUnitName}";

    internal static LogicalUnitStorageUri? Read(ref StorageUriReader reader)
    {
        reader.TryConsume("lu:");
        ReadOnlySpan<char> rest = reader.Rest;
        int comma = rest.IndexOf(',');
        if (comma < 0)
        {
            return TryReadLuName(ref reader, rest, out string luName) ? new LogicalUnitStorageUri(null, null, luName) : null;
        }

        ReadOnlySpan<char> initiatorText = rest[..comma];
        rest = rest[(comma + 1)..];
        comma = rest.IndexOf(',');
        if (comma < 0)
        {
            reader.Fail(StorageUriPart.LogicalUnit, "expected initiator.naa.ID,target.naa.ID,luname.naa.ID");
            return null;
        }

        ReadOnlySpan<char> targetText = rest[..comma];
        if (!initiatorText.StartsWith("initiator.", StringComparison.OrdinalIgnoreCase)
            || !ScsiNames.TryParseDeviceName(initiatorText["initiator.".Length..], allowEui: false, out string initiator))
        {
            reader.Fail(StorageUriPart.Initiator, "expected initiator.naa. followed by 16 to 32 hex digits");
            return null;
        }

        if (!targetText.StartsWith("target.", StringComparison.OrdinalIgnoreCase)
            || !ScsiNames.TryParseDeviceName(targetText["target.".Length..], allowEui: false, out string target))
        {
            reader.Fail(StorageUriPart.Target, "expected target.naa. followed by 16 to 32 hex digits");
            return null;
        }

        return TryReadLuName(ref reader, rest[(comma + 1)..], out string name) ? new LogicalUnitStorageUri(initiator, target, name) : null;
    }

    internal static bool TryReadLuName(ref StorageUriReader reader, ReadOnlySpan<char> text, out string name)
    {
        name = string.Empty;
        if (text.StartsWith("luname.", StringComparison.OrdinalIgnoreCase)
            && ScsiNames.TryParseDeviceName(text["luname.".Length..], allowEui: true, out name))
        {
            return true;
        }

        reader.Fail(StorageUriPart.LogicalUnit, "expected luname.naa. or luname.eui. followed by 16 to 32 hex digits");
        return false;
    }
}
