using System.Net;
using System.Runtime.InteropServices;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Transport.Striping;
using Microsoft.Extensions.Logging;

namespace KernelZones.Samples.ReceiverHost.Commands;

/// <summary>Runs the two services until Ctrl-C or SIGTERM; in-flight migrations then abort and their sources keep their zones.</summary>
internal sealed class RunCommand(ReceiverSettings settings)
{
    public async Task<int> RunAsync()
    {
        using ILoggerFactory loggers = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(settings.LogLevel)
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            }));
        ILogger log = loggers.CreateLogger("KernelZones.Samples.ReceiverHost");
        using var identity = ServerIdentity.LoadOrCreate(settings.IdentityDirectory, settings.HostName, loggers);
        var users = ReceiverUsers.Load(settings, loggers);
        var zones = new ReceivedZones(settings, log);
        zones.LoadSaved();
        using MeterReport? metrics = settings.MetricsInterval is { } interval ? new MeterReport(interval, Console.Out) : null;

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        var control = new ControlServiceOptions
        {
            ListenAddress = settings.ControlAddress,
            Port = settings.ControlPort,
            Identity = identity,
            Users = users,
            Offer = new HostOffer { HostName = settings.HostName, AllowNone = settings.AllowNone },
            LoggerFactory = loggers,
        };
        var destination = new MigrationDestination(zones.Host, new MigrationDestinationOptions
        {
            Control = settings.PeerTimeout is { } idle ? control with { IdleTimeout = idle } : control,
            Transport = settings.PeerTimeout is { } peerTimeout ? new StripeOptions { PeerTimeout = peerTimeout } : StripeOptions.Default,
            DataEndPoint = new IPEndPoint(settings.DataAddress, settings.DataPort),
            MaxStripes = settings.MaxStripes,
            CreateGuest = zones.CreateGuest,
            Capabilities = new DestinationCapabilities { FreeMemoryBytes = HostMemory.AvailableBytes() },
            ZoneStore = zones,
        });
        await using (destination)
        {
            destination.Start();
            ServiceStatus.Print(Console.Out, DateTime.Now, destination, settings, identity, users);
            await stop.Task;
            ReceiverLog.Stopping(log);
        }

        zones.RemoveStatus();
        ReceiverLog.Stopped(log);
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
    }
}
