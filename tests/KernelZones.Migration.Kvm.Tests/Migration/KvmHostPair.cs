using KernelZones.Migration.Authentication;
using KernelZones.Migration.Configuration;
using KernelZones.Migration.Engine;
using KernelZones.Migration.Guests;
using KernelZones.Testing.Faults;

namespace KernelZones.Migration.Kvm.Tests.Migration;

/// <summary>Two <see cref="KvmZoneHost"/>s that trust each other, and the checks every KVM migration test makes on the guests' heartbeats.</summary>
internal sealed class KvmHostPair : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kz-kvm-pair-").FullName;
    private readonly ClientKey _key = ClientKey.Generate("kvm-tests");

    /// <param name="dataProxy">A stripe proxy in front of B's data service, whose port B advertises.</param>
    /// <param name="readinessTimeout">How long each host, as the destination, waits for the arrived guest's first sign of life; default 5 s.</param>
    public KvmHostPair(KvmGuestOptions? destinationTemplate = null, FaultProxy? dataProxy = null, TimeSpan? readinessTimeout = null, TimeSpan? sourceIdleTimeout = null)
    {
        B = new KvmZoneHost("kz-b", KnownHosts, _key, destinationTemplate, dataProxy?.EndPoint.Port ?? 0, readinessTimeout);
        A = new KvmZoneHost("kz-a", KnownHosts, _key, readinessTimeout: readinessTimeout, idleTimeout: sourceIdleTimeout);
        if (dataProxy is not null)
        {
            dataProxy.Target = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, B.Destination.DataPort);
        }
    }

    public KvmZoneHost A { get; }

    public KvmZoneHost B { get; }

    private string KnownHosts => Path.Combine(_directory, "known_hosts");

    /// <summary>A proxy in front of B's control service, and the address through it that A trusts as B.</summary>
    public (FaultProxy Relay, Control.RemoteAddress Address) RelayToB()
    {
        var relay = new FaultProxy(RecordFraming.Tls) { Target = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, B.Destination.ControlPort) };
        B.Trust(KnownHosts, relay.EndPoint.Port);
        return (relay, Control.RemoteAddress.Parse($"ssh://root@127.0.0.1:{relay.EndPoint.Port}"));
    }

    /// <summary>Starts a guest and boots zone <paramref name="zoneName"/> on host A with the guest's machine described in its configuration.</summary>
    public KvmGuest StartOnA(string zoneName, KvmGuestOptions options)
    {
        KvmGuest guest = KvmGuest.Create(options);
        A.Boot(KvmZoneMigration.Describe(KvmZoneHost.KernelZone(zoneName, options.MemorySize), guest));
        return guest;
    }

    /// <summary>Reads heartbeats until the working set has been written once, so that the guest checks every page it verifies.</summary>
    public static async Task<Heartbeat> RunUntilWrittenAsync(KvmGuest guest, long pages)
    {
        Heartbeat beat;
        do
        {
            beat = await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
            Assert.True(beat.Ok, $"The guest found a corrupt page before any migration: {beat}");
        }
        while (beat.Written < pages);

        return beat;
    }

    /// <summary>Every heartbeat the guest printed so far (it must have printed one), each of them <c>ok</c>; returns the last.</summary>
    public static Heartbeat DrainOk(KvmGuest guest, Heartbeat? previous = null)
    {
        Heartbeat? last = previous;
        while (guest.ConsoleLines.TryRead(out string? line))
        {
            Heartbeat beat = Heartbeat.Parse(line);
            Assert.True(beat.Ok, $"The guest reported a corrupt page: {line}");
            if (last is not null)
            {
                Assert.Equal(last.Sequence + 1, beat.Sequence);
            }

            last = beat;
        }

        return last ?? throw new InvalidOperationException("The guest printed no heartbeat.");
    }

    /// <summary>Reads <paramref name="count"/> heartbeats: the first follows <paramref name="last"/>, ticks rise, each is <c>ok</c>.</summary>
    public static async Task<Heartbeat> AssertContinuesAsync(KvmGuest guest, Heartbeat last, int count)
    {
        Heartbeat previous = last;
        for (int i = 0; i < count; i++)
        {
            Heartbeat next = await Heartbeat.NextAsync(guest.ConsoleLines, KvmHost.Generous);
            Assert.Equal(previous.Sequence + 1, next.Sequence);
            Assert.True(next.Ticks > previous.Ticks, $"Ticks did not rise: {previous} then {next}.");
            Assert.True(next.Written >= previous.Written, $"Written fell: {previous} then {next}.");
            Assert.True(next.Ok, $"The guest reported a corrupt page: {next}");
            previous = next;
        }

        return previous;
    }

    /// <summary>After a failed migration: the source guest runs (not suspended), its heartbeats continue <c>ok</c>, and host B kept nothing.</summary>
    public async Task AssertRolledBackAsync(KvmGuest source, string zoneName, int beats = 10)
    {
        Assert.False(source.Cpus.IsSuspended, "The source guest was left suspended.");
        Assert.Equal(Lifecycle.ZoneState.Running, A.Zones.Get(zoneName).State);
        Heartbeat last = source.ConsoleLines.TryPeek(out _) ? DrainOk(source) : await Heartbeat.NextAsync(source.ConsoleLines, KvmHost.Generous);
        await AssertContinuesAsync(source, last, count: beats);
        Assert.Null(B.Destination.FindGuest(zoneName));
        Assert.Null(B.Zones.Find(zoneName));
    }

    public static MigrationOptions Options(string cipher) => new() { Cipher = cipher };

    public static ZoneConfiguration WithAttribute(ZoneConfiguration configuration, string name, string value)
    {
        ZoneResource existing = configuration.GetResources("attr").Single(r => r.GetValue("name") == name);
        return configuration.ToBuilder().ReplaceResource(existing, existing.With("value", value)).Build();
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A source guest whose captured device state has one bit flipped after capture (its hash no longer matches).</summary>
    public sealed class FlippedStateGuest(KvmGuest inner) : IGuest, IDeviceState
    {
        public IGuestMemory Memory => inner.Memory;

        public IVirtualCpus Cpus => inner.Cpus;

        public IDeviceState Devices => this;

        public IGuestThrottle? Throttle => inner.Throttle;

        public string Format => inner.Devices.Format;

        public ReadOnlyMemory<byte> Capture()
        {
            byte[] state = inner.Devices.Capture().ToArray();
            state[state.Length / 2] ^= 0x01;
            return state;
        }

        public void Restore(ReadOnlySpan<byte> state) => inner.Devices.Restore(state);
    }
}
