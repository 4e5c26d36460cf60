using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace KernelZones.Samples.ReceiverHost;

/// <summary>
/// The libraries' meters (<c>KernelZones.*</c>) and the engine's activities through OpenTelemetry: meters on a Prometheus
/// scrape endpoint (<c>--metrics</c>), meters and traces by OTLP to a collector (<c>--otlp-endpoint</c> or
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; the other <c>OTEL_*</c> variables apply).
/// </summary>
internal static class ReceiverTelemetry
{
    /// <summary>The OpenTelemetry service name (<c>OTEL_SERVICE_NAME</c> overrides it).</summary>
    public const string ServiceName = "kz-receiver";

    /// <summary>The scrape endpoint's path.</summary>
    public const string ScrapePath = "/metrics";

    private const string Libraries = "KernelZones.*";

    /// <summary>Adds the exporters <paramref name="settings"/> ask for; nothing when they ask for none.</summary>
    public static IServiceCollection AddReceiverTelemetry(this IServiceCollection services, ReceiverSettings settings)
    {
        if (!settings.Metrics && settings.OtlpEndpoint is null)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceInstanceId: settings.HostName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Libraries);
                if (settings.Metrics)
                {
                    metrics.AddPrometheusHttpListener(prometheus =>
                    {
                        prometheus.Host = ListenHost(settings.Address);
                        prometheus.Port = settings.MetricsPort;
                        prometheus.ScrapeEndpointPath = ScrapePath;
                    });
                }

                if (settings.OtlpEndpoint is not null)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (settings.OtlpEndpoint is not null)
        {
            telemetry.WithTracing(tracing => tracing.AddSource(Libraries).AddOtlpExporter());
        }

        return services;
    }

    /// <summary>The scrape endpoint's URL, as the status lines print it (<c>*</c> for every address).</summary>
    public static string ScrapeUrl(ReceiverSettings settings) => $"http://{ListenHost(settings.Address)}:{settings.MetricsPort}{ScrapePath}";

    /// <summary>A port free on <paramref name="address"/> now, for <c>--metrics-port 0</c> (the HTTP listener takes a port, not 0).</summary>
    public static int FreePort(IPAddress address)
    {
        var probe = new TcpListener(address, 0);
        probe.Start();
        try
        {
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        finally
        {
            probe.Stop();
        }
    }

    private static string ListenHost(IPAddress address) => address switch
    {
        _ when address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) => "*",
        { AddressFamily: AddressFamily.InterNetworkV6 } => $"[{address}]",
        _ => address.ToString(),
    };
}
