using System.Globalization;
using System.Text;

namespace KernelZones.Migration.Lifecycle;

/// <summary><c>zoneadm list</c> renderings as Solaris 11.3 prints them; the global zone is listed first unless a zone is named.</summary>
public sealed partial class ZoneHost
{
    private const string KernelZonePath = "-";

    /// <summary>
    /// <c>zoneadm [-z zone] list -s</c>: <c>NAME STATUS AUXILIARY STATE</c> columns (16 characters and a space
    /// each), every zone; auxiliary states show only for attached zones. Lines end with "\n", trailing spaces trimmed.
    /// </summary>
    /// <param name="zoneName">Only this zone (as <c>-z</c>); <see langword="null"/> lists the global zone and every zone.</param>
    /// <exception cref="ZoneStateException">The named zone does not exist.</exception>
    public string ListStatus(string? zoneName = null)
    {
        var text = new StringBuilder("NAME             STATUS           AUXILIARY STATE\n");
        foreach (ListedZone zone in Select(zoneName, includeAll: true))
        {
            string aux = zone.Status.State == ZoneState.Configured ? string.Empty : ZoneStatus.Format(zone.Status.AuxiliaryState);
            AppendLine(text, $"{zone.Name,-16} {ZoneStatus.Format(zone.Status.State),-16} {aux}");
        }

        return text.ToString();
    }

    /// <summary>
    /// <c>zoneadm list -cv</c> (<paramref name="includeAll"/>) or <c>list -v</c> (running zones only): ID (4, right-aligned,
    /// <c>-</c> when not running), NAME (16), STATUS (11), PATH (9; <c>-</c> for kernel zones), BRAND (16), IP.
    /// </summary>
    /// <exception cref="ZoneStateException">The named zone does not exist.</exception>
    public string ListVerbose(bool includeAll = true, string? zoneName = null)
    {
        var text = new StringBuilder("  ID NAME             STATUS      PATH      BRAND            IP\n");
        foreach (ListedZone zone in Select(zoneName, includeAll))
        {
            AppendLine(text, $"{zone.IdText,4} {zone.Name,-16} {ZoneStatus.Format(zone.Status.State),-11} {zone.Path,-9} {zone.Brand,-16} {zone.IpType}");
        }

        return text.ToString();
    }

    /// <summary>
    /// <c>zoneadm list -cp</c> (<paramref name="includeAll"/>) or <c>list -p</c>: one colon-separated line per zone,
    /// <c>id:name:state:path:uuid:brand:ip-type:r/w:profile:</c>, as in Oracle's fixture
    /// <c>4:myzone:installed:/system/volatile/zones/myzone/zonepath:&lt;uuid&gt;:solaris-kz:excl:R:solaris-kz:</c>.
    /// </summary>
    /// <exception cref="ZoneStateException">The named zone does not exist.</exception>
    public string ListParseable(bool includeAll = true, string? zoneName = null)
    {
        var text = new StringBuilder();
        foreach (ListedZone zone in Select(zoneName, includeAll))
        {
            string path = zone.IsGlobal ? "/" : $"/system/volatile/zones/{zone.Name}/zonepath";
            string uuid = zone.IsGlobal ? string.Empty : zone.Uuid.ToString("D", CultureInfo.InvariantCulture);
            string tail = zone.IsGlobal ? "-::" : $"R:{zone.Brand}:";
            text.Append(CultureInfo.InvariantCulture, $"{zone.IdText}:{zone.Name}:{ZoneStatus.Format(zone.Status.State)}:{path}:{uuid}:{zone.Brand}:{zone.IpType}:{tail}\n");
        }

        return text.ToString();
    }

    private static void AppendLine(StringBuilder text, string line) => text.Append(line.TrimEnd()).Append('\n');

    private List<ListedZone> Select(string? zoneName, bool includeAll)
    {
        var zones = new List<ListedZone>();
        if (zoneName is not null)
        {
            Zone zone = Get(zoneName);
            zones.Add(new ListedZone(zone.Name, zone.Status, zone.Configuration.Brand, zone.Uuid, IsGlobal: false));
            return zones;
        }

        zones.Add(new ListedZone("global", new ZoneStatus(ZoneState.Running, ZoneAuxiliaryState.None, 0), "solaris", Guid.Empty, IsGlobal: true));
        foreach (Zone zone in Zones)
        {
            ZoneStatus status = zone.Status;
            if (includeAll || status.State == ZoneState.Running)
            {
                zones.Add(new ListedZone(zone.Name, status, zone.Configuration.Brand, zone.Uuid, IsGlobal: false));
            }
        }

        return zones;
    }

    private readonly record struct ListedZone(string Name, ZoneStatus Status, string Brand, Guid Uuid, bool IsGlobal)
    {
        public string IdText => Status.Id?.ToString(CultureInfo.InvariantCulture) ?? "-";

        public string Path => IsGlobal ? "/" : KernelZonePath;

        public string IpType => IsGlobal ? "shared" : "excl";
    }
}
