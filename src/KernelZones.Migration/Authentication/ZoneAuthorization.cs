namespace KernelZones.Migration.Authentication;

/// <summary>Which zones a user may migrate into this host: all, the named ones, or none (revoked).</summary>
/// <remarks>Immutable and thread-safe. Zone names compare exactly (they are case-sensitive in zonecfg).</remarks>
public sealed class ZoneAuthorization
{
    private readonly HashSet<string> _zones;

    private ZoneAuthorization(bool allZones, IEnumerable<string> zones)
    {
        AllZones = allZones;
        _zones = new HashSet<string>(zones, StringComparer.Ordinal);
    }

    /// <summary>Any zone may be migrated in.</summary>
    public static ZoneAuthorization All { get; } = new(true, []);

    /// <summary>No zone may be migrated in: the user is known but revoked.</summary>
    public static ZoneAuthorization None { get; } = new(false, []);

    /// <summary>Whether every zone is allowed.</summary>
    public bool AllZones { get; }

    /// <summary>The allowed zones when <see cref="AllZones"/> is <see langword="false"/>; empty for <see cref="None"/>.</summary>
    public IReadOnlyCollection<string> Zones => _zones;

    /// <summary>Whether the user may migrate any zone at all.</summary>
    public bool AllowsAny => AllZones || _zones.Count > 0;

    /// <summary>Only the named zones.</summary>
    /// <param name="zones">Zone names; an empty list gives <see cref="None"/>.</param>
    public static ZoneAuthorization For(IEnumerable<string> zones) => new(false, zones);

    /// <summary>Whether <paramref name="zoneName"/> may be migrated in.</summary>
    public bool Allows(string zoneName) => AllZones || _zones.Contains(zoneName);

    /// <summary>The users-file form: <c>*</c>, <c>-</c>, or comma-separated names.</summary>
    public override string ToString() => AllZones ? "*" : _zones.Count == 0 ? "-" : string.Join(',', _zones.Order(StringComparer.Ordinal));
}
