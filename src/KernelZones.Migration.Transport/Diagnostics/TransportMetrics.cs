using System.Diagnostics.Metrics;

namespace KernelZones.Migration.Transport;

/// <summary>The transport's meter, <c>KernelZones.Migration.Transport</c>, and its instruments.</summary>
/// <remarks>Recorded once per socket write on the sending side and once per record on the receiving side (never per segment), tagged by stripe and direction.</remarks>
internal static class TransportMetrics
{
    public const string MeterName = "KernelZones.Migration.Transport";

    private static readonly Meter s_meter = new(MeterName, typeof(TransportMetrics).Assembly.GetName().Version?.ToString());
    private static readonly Counter<long> s_bytes = s_meter.CreateCounter<long>("kz.transport.bytes", "By", "Bytes moved by stripes, records and overhead included.");
    private static readonly Counter<long> s_records = s_meter.CreateCounter<long>("kz.transport.records", "{record}", "Records sealed (send) or opened (receive) by stripes.");
    private static readonly Counter<long> s_rejections = s_meter.CreateCounter<long>("kz.transport.handshake.rejections", "{connection}", "Data connections dropped before or during their handshake.");
    private static readonly Counter<long> s_authenticationFailures = s_meter.CreateCounter<long>("kz.transport.authentication.failures", "{record}", "Records that failed authentication.");

    public static void AddSent(int stripe, long bytes)
    {
        if (s_bytes.Enabled)
        {
            s_bytes.Add(bytes, new("stripe", stripe), new("direction", "send"));
        }
    }

    public static void AddSealed(int stripe, int records)
    {
        if (s_records.Enabled && records > 0)
        {
            s_records.Add(records, new("stripe", stripe), new("direction", "send"));
        }
    }

    public static void AddReceived(int stripe, long bytes, int records)
    {
        if (s_bytes.Enabled && bytes > 0)
        {
            s_bytes.Add(bytes, new("stripe", stripe), new("direction", "receive"));
        }

        if (s_records.Enabled && records > 0)
        {
            s_records.Add(records, new("stripe", stripe), new("direction", "receive"));
        }
    }

    public static void HandshakeRejected(string reason) => s_rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public static void AuthenticationFailed(int stripe) => s_authenticationFailures.Add(1, new KeyValuePair<string, object?>("stripe", stripe));
}
