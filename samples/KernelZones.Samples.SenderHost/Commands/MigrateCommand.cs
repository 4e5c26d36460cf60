using System.Runtime.InteropServices;
using KernelZones.Migration;
using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Transport.Striping;
using KernelZones.Samples.SenderHost.Guests;
using KernelZones.Samples.SenderHost.Progress;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace KernelZones.Samples.SenderHost.Commands;

/// <summary>
/// <c>zoneadm -z &lt;zone&gt; migrate</c>: boots the zone's guest (the one its boot chose: simulated, or a KVM virtual
/// machine whose console lines are printed between the step messages) in this process and live-migrates it. Ctrl-C
/// or SIGTERM cancels before the commit point (the zone keeps running here), reported as zoneadm does
/// (<c>'migrate' terminated by signal SIGINT.</c>). On success the zone is recorded
/// configured (halted and detached); when the commit was not acknowledged it is recorded unavailable.
/// </summary>
internal sealed class MigrateCommand(ZoneStore store, string zoneName, MigrateArguments arguments)
{
    /// <summary>The exit status when the destination did not acknowledge the commit.</summary>
    private const int InDoubtExitCode = 3;

    public async Task<int> RunAsync()
    {
        ZoneHost host = store.Load();
        Zone zone = host.Get(zoneName);
        Directory.CreateDirectory(store.Directory);
        var pinned = new KnownHostsNotice(store.KnownHostsPath);
        ControlCredential? credential = null;
        try
        {
            RemoteAddress remote = RemoteAddress.Parse(arguments.Remote);
            credential = CredentialSource.For(remote, arguments);
            return await RunAsync(host, zone, remote, credential);
        }
        catch (MigrationException e)
        {
            pinned.Report(Console.Error);
            Fail(e.Message);
            return 1;
        }
        finally
        {
            pinned.Report(Console.Error);
            credential?.Key?.Dispose();
        }
    }

    /// <summary>Talks to the destination; Ctrl-C and SIGTERM cancel from here on (not at the password prompt, which they end).</summary>
    private async Task<int> RunAsync(ZoneHost host, Zone zone, RemoteAddress remote, ControlCredential credential)
    {
        using var cancel = new CancellationTokenSource();
        PosixSignal? signal = null;
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        // zoneadm's output is its step messages and its errors; the engine's warnings (a failed migration) would
        // repeat those errors in another format, so only errors the operator would not otherwise see are logged.
        using ILoggerFactory loggers = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Error)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(format => format.SingleLine = true));
        var client = new ControlClientOptions
        {
            KnownHostsPath = store.KnownHostsPath,
            TrustOnFirstUse = true,
            // This host's opt-in to 'none' is '-c none' itself; '-c list' shows what '-c none' would offer.
            Offer = new HostOffer { AllowNone = arguments.Cipher == "none" || arguments.ListCiphers },
            LoggerFactory = loggers,
        };
        var source = new MigrationSource(host, arguments.PeerTimeout is { } idle ? client with { IdleTimeout = idle } : client);
        try
        {
            if (arguments.ListCiphers)
            {
                CipherList ciphers = await source.ListCiphersAsync(remote, credential, cancel.Token);
                Console.WriteLine(ciphers.ToString());
                return 0;
            }

            CheckRunning(zone);
            MigrationResult result = await MigrateAsync(source, zone, remote, credential, cancel.Token);
            return Finish(zone, result);
        }
        catch (Exception e) when (signal is { } received && e is MigrationException or OperationCanceledException)
        {
            throw new MigrationException(MigrationFailureKind.Aborted, $"'migrate' terminated by signal {received}.", e);
        }

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            signal = context.Signal;
            cancel.Cancel();
        }
    }

    private async Task<MigrationResult> MigrateAsync(MigrationSource source, Zone zone, RemoteAddress remote, ControlCredential credential, CancellationToken cancellationToken)
    {
        long memory = zone.Configuration.PhysicalMemory?.Bytes ?? 0;
        using var sent = new SentBytes();
        using IMigrationOutput? output = arguments.Quiet ? null
            : Console.IsOutputRedirected ? new LineProgress(Console.Out)
            : new TerminalProgress(sent, memory);
        Action<string>? console = output is null ? null : line => output.WriteLine("console: " + line);
        await using IZoneGuest guest = await store.LoadGuest(zoneName).BootAsync(zone.Configuration, arguments.Workload, console, cancellationToken);
        if (!ReferenceEquals(guest.Configuration, zone.Configuration))
        {
            zone.UpdateConfiguration(guest.Configuration);
        }

        var options = new MigrationOptions
        {
            Cipher = arguments.Cipher,
            DryRun = arguments.DryRun,
            Progress = output,
            Transport = arguments.PeerTimeout is { } peerTimeout ? new StripeOptions { PeerTimeout = peerTimeout } : StripeOptions.Default,
        };
        return await source.MigrateAsync(zoneName, guest.Guest, remote, credential, options, cancellationToken);
    }

    private void CheckRunning(Zone zone)
    {
        if (zone.State == ZoneState.Running)
        {
            return;
        }

        string state = zone.Status.StateName;
        throw new MigrationException(MigrationFailureKind.Compatibility, arguments.LiveOnly
            ? $"zone is {state}; '-t live' migrates running zones only."
            : $"zone is {state}; this host migrates running zones only (live migration): boot it first.");
    }

    private int Finish(Zone zone, MigrationResult result)
    {
        switch (result.Outcome)
        {
            case MigrationOutcome.Succeeded:
                store.Save(zone);
                if (!arguments.Quiet)
                {
                    Console.Write(MigrationSummary.Format(result));
                }

                return 0;
            case MigrationOutcome.DryRunSucceeded:
                return 0;
            default:
                // Never guess (docs/design.md, invariant 1): the zone may run on the destination, so it must not boot here.
                zone.Halt();
                zone.MarkUnavailable();
                store.Save(zone);
                Console.Error.WriteLine(ZoneadmLine(
                    $"the destination did not acknowledge the commit of migration {result.MigrationId}; the zone may be running there and is marked unavailable here."));
                return InDoubtExitCode;
        }
    }

    private void Fail(string message)
    {
        string prefix = $"zone '{zoneName}': ";
        Console.Error.WriteLine(message.StartsWith(prefix, StringComparison.Ordinal) ? "zoneadm: " + message : ZoneadmLine(message));
        Console.Error.WriteLine(ZoneadmLine("migrate failed."));
    }

    /// <summary>A message in <c>zoneadm</c>'s form, as the step lines (<see cref="MigrationProgress.Message"/>) are.</summary>
    private string ZoneadmLine(string text) => $"zoneadm: zone '{zoneName}': {text}";
}
