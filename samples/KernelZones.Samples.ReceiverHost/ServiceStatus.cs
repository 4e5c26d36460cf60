using System.Globalization;
using System.Net;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;

namespace KernelZones.Samples.ReceiverHost;

/// <summary>What the operator sees on start: <c>svcs</c> lines for the two services, then where each listens, where the files are and where the telemetry goes.</summary>
internal static class ServiceStatus
{
    public const string ControlFmri = "svc:/system/rad:remote";
    public const string DataFmri = "svc:/network/kz-migr:stream";

    public static void Print(TextWriter output, DateTime started, MigrationDestination destination, ReceiverSettings settings, ServerIdentity identity, UserDatabase users)
    {
        // svcs prints STIME as H:mm:ss right-aligned in 8 columns (as Solaris does).
        string time = started.ToString("H:mm:ss", CultureInfo.InvariantCulture);
        output.Write($"""
            STATE          STIME    FMRI
            {"online",-15}{time,8} {DataFmri}
            {"online",-15}{time,8} {ControlFmri}

            rad:remote    listening on {new IPEndPoint(settings.ControlAddress, destination.ControlPort)} (rads:// and ssh://, TLS)
            kz-migr       listening on {new IPEndPoint(settings.DataAddress, destination.DataPort)}
            identity      {Path.Combine(settings.IdentityDirectory, ServerIdentity.CertificateFileName)} ({identity.Fingerprint})
            users         {settings.UsersFile} ({users.Accounts.Count()} user(s)); authorized keys {settings.AuthorizedKeysPattern}
            zones         {settings.ZonesDirectory}; status {settings.StatusFile}
            guests        {(settings.Guest == GuestKind.Kvm ? $"KVM virtual machines on {settings.KvmDevice}" : "simulated")}

            """);
        if (settings.Metrics)
        {
            output.WriteLine($"metrics       {ReceiverTelemetry.ScrapeUrl(settings)} (Prometheus scrape endpoint)");
        }

        if (settings.OtlpEndpoint is { } otlp)
        {
            output.WriteLine($"otlp          {otlp.OriginalString} (metrics and traces)");
        }
    }
}
