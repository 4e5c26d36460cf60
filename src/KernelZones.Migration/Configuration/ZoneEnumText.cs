namespace KernelZones.Migration.Configuration;

/// <summary>The zonecfg spelling of the configuration enums.</summary>
internal static class ZoneEnumText
{
    private static readonly string[] s_autoShutdown = ["shutdown", "halt", "suspend"];
    private static readonly string[] s_bootPriority = ["high", "normal", "low"];
    private static readonly string[] s_pageSizePolicy = ["largest-only", "largest-available", "smallest-only", "fixed"];

    public static bool IsValid(PropertyKind kind, string value) => Array.IndexOf(Names(kind), value) >= 0;

    public static string Describe(PropertyKind kind) => "one of " + string.Join(", ", Names(kind));

    private static string[] Names(PropertyKind kind) => kind switch
    {
        PropertyKind.AutoShutdown => s_autoShutdown,
        PropertyKind.BootPriority => s_bootPriority,
        _ => s_pageSizePolicy,
    };
}
