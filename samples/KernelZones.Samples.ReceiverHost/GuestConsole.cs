using KernelZones.Migration.Kvm;
using Microsoft.Extensions.Logging;

namespace KernelZones.Samples.ReceiverHost;

/// <summary>
/// A received KVM guest's serial console, copied to the log from its resumption here on, so that an operator sees its
/// heartbeats continue after the switchover. The guest prints a heartbeat every few milliseconds: a healthy one
/// (<c>... ok</c>) is logged at most once a second; every other line (a corrupt page, anything else) is logged as it comes.
/// </summary>
internal static class GuestConsole
{
    private static readonly TimeSpan s_healthyInterval = TimeSpan.FromSeconds(1);

    /// <summary>Reads <paramref name="guest"/>'s console until the guest stops; a guest that stops on a fault is logged as an error.</summary>
    public static async Task CopyToLogAsync(string zone, KvmGuest guest, ILogger log)
    {
        long? lastHealthy = null;
        try
        {
            await foreach (string line in guest.ConsoleLines.ReadAllAsync().ConfigureAwait(false))
            {
                bool healthy = line.StartsWith("heartbeat ", StringComparison.Ordinal) && line.EndsWith(" ok", StringComparison.Ordinal);
                long now = Environment.TickCount64;
                if (!healthy || lastHealthy is not { } last || now - last >= (long)s_healthyInterval.TotalMilliseconds)
                {
                    ReceiverLog.GuestConsoleLine(log, zone, line);
                    lastHealthy = healthy ? now : lastHealthy;
                }
            }
        }
        catch (Exception e)
        {
            // The console completes with the fault that stopped the guest (a triple fault, a KVM error).
            ReceiverLog.GuestStopped(log, zone, e.Message, e);
        }
    }
}
