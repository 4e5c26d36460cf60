using KernelZones.Migration.Kvm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace KernelZones.Samples.ReceiverHost.Commands;

/// <summary>
/// <c>run</c>: the receiver as a Generic Host: its configuration (<see cref="ReceiverConfiguration"/>), console logging,
/// <see cref="ReceiverService"/>, the telemetry asked for, and the systemd lifetime. Returns 0 after a clean stop
/// (Ctrl-C or SIGTERM).
/// </summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string?> commandLine)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = ReceiverTelemetry.ServiceName,
            ContentRootPath = AppContext.BaseDirectory,
        });
        ReceiverConfiguration.Load(builder.Configuration, commandLine);
        ReceiverSettings settings = ReceiverSettings.Read(builder.Configuration);
        if (settings.Guest == GuestKind.Kvm && KvmGuest.ProbeUnavailableReason(settings.KvmDevice) is { } unusable)
        {
            throw new StartupException($"--guest kvm: {unusable}");
        }

        if (settings.Metrics && settings.MetricsPort == 0)
        {
            settings = settings with { MetricsPort = ReceiverTelemetry.FreePort(settings.Address) };
        }

        if (settings.OtlpEndpoint is { } otlp)
        {
            // The OTLP exporter reads the endpoint from the configuration, where --otlp-endpoint puts it.
            builder.Configuration[SettingKeys.OtelEndpoint] = otlp.OriginalString;
        }

        builder.Logging
            .AddConfiguration(builder.Configuration.GetSection("Logging"))
            .SetMinimumLevel(settings.LogLevel)
            // A service that cannot start (a port in use) is told once, in the program's error line, not again with its stack.
            .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical)
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });

        // Under systemd (the parent process): the journal's log format, SIGTERM, READY=1 once every hosted service has
        // started and STOPPING=1 on stop. sd_notify's contract is NOTIFY_SOCKET, which a service manager sets whoever
        // the parent is (a container's init, a supervisor, a test): the same lifetime then.
        builder.Services.AddSystemd();
        if (new SystemdNotifier().IsEnabled)
        {
            builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        builder.Services.AddSingleton(settings);
        builder.Services.AddReceiverTelemetry(settings);
        builder.Services.AddHostedService<ReceiverService>();

        using IHost host = builder.Build();
        // The services are made now, not as the host starts: a missing users file or an unprotected key ends the
        // program here with its message alone.
        _ = host.Services.GetServices<IHostedService>().ToArray();
        await host.RunAsync();
        return 0;
    }
}
