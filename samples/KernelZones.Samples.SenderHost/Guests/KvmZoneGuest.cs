using KernelZones.Migration;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Kvm;

namespace KernelZones.Samples.SenderHost.Guests;

/// <summary>
/// A KVM virtual machine (<c>--guest kvm</c>) of the configuration's <c>capped-memory physical</c> running the guest
/// program, whose machine the configuration describes to the destination. Its console lines (a heartbeat every 100 ms
/// of guest time) go to the operator as they arrive, from the first one on.
/// </summary>
internal sealed class KvmZoneGuest : IZoneGuest
{
    private static readonly TimeSpan s_heartbeatInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_firstHeartbeat = TimeSpan.FromSeconds(30);

    private readonly KvmGuest _guest;
    private readonly Task _console;

    private KvmZoneGuest(KvmGuest guest, ZoneConfiguration configuration, Task console)
    {
        _guest = guest;
        Configuration = configuration;
        _console = console;
    }

    public IGuest Guest => _guest;

    public ZoneConfiguration Configuration { get; }

    /// <summary>Why this host cannot run KVM guests, or <see langword="null"/> when it can.</summary>
    public static string? UnavailableReason() => KvmGuest.ProbeUnavailableReason() is { } reason ? $"error: KVM is not usable on this host: {reason}" : null;

    /// <summary>Creates the VM and waits for its first heartbeat, so that what migrates is a guest that runs.</summary>
    /// <param name="console">Where the console lines go; <see langword="null"/> drops them.</param>
    /// <exception cref="MigrationException">KVM is not usable here, or the guest did not start.</exception>
    /// <exception cref="UsageException">The zone's memory or the workload does not fit a KVM guest.</exception>
    public static async Task<KvmZoneGuest> BootAsync(ZoneConfiguration configuration, long memory, WorkloadSpec? workload, Action<string>? console, CancellationToken cancellationToken)
    {
        if (UnavailableReason() is { } unusable)
        {
            throw new MigrationException(MigrationFailureKind.Compatibility, unusable);
        }

        KvmGuest guest = Create(memory, workload);
        try
        {
            string first = await guest.ConsoleLines.ReadAsync(cancellationToken).AsTask().WaitAsync(s_firstHeartbeat, cancellationToken);
            console?.Invoke(first);
            return new KvmZoneGuest(guest, KvmZoneMigration.Describe(configuration, guest), PrintAsync(guest, console));
        }
        catch (Exception e) when (e is TimeoutException or System.Threading.Channels.ChannelClosedException or KvmGuestFaultException)
        {
            guest.Dispose();
            throw new MigrationException(MigrationFailureKind.Compatibility, $"error: the KVM guest did not start: {e.Message}", e);
        }
        catch
        {
            guest.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _guest.Dispose();
        await _console.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static KvmGuest Create(long memory, WorkloadSpec? workload)
    {
        try
        {
            return KvmGuest.Create(new KvmGuestOptions
            {
                MemorySize = memory,
                Workload = WorkloadSpec.ForKvmGuest(workload),
                HeartbeatInterval = s_heartbeatInterval,
            });
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException($"the zone's KVM guest cannot be created: {e.Message.ReplaceLineEndings(" ")}");
        }
        catch (KvmException e)
        {
            throw new MigrationException(MigrationFailureKind.Compatibility, $"error: the KVM guest cannot be created: {e.Message}", e);
        }
    }

    /// <summary>Passes every console line on until the guest stops (its channel completes when the VM is disposed or faults).</summary>
    private static async Task PrintAsync(KvmGuest guest, Action<string>? console)
    {
        await foreach (string line in guest.ConsoleLines.ReadAllAsync())
        {
            console?.Invoke(line);
        }
    }
}
