namespace KernelZones.Migration.Guests;

/// <summary>What a well-formed <see cref="IDeviceState.Format"/> is, checked where one is sent and where one is received.</summary>
internal static class DeviceStateFormat
{
    /// <summary>1 to <see cref="IDeviceState.MaxFormatLength"/> printable ASCII characters, no spaces.</summary>
    public static bool IsWellFormed(string? format) =>
        format is { Length: > 0 and <= IDeviceState.MaxFormatLength } && format.All(c => c is > ' ' and <= '~');
}
