using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Keys;

namespace KernelZones.Migration.Transport.Tests.Infrastructure;

/// <summary>A session schedule and matching sealer/opener pairs for tests.</summary>
internal static class TestKeys
{
    public static SessionKeySchedule Schedule(int seed = 1)
    {
        var secret = new byte[SessionKeySchedule.SecretSize];
        new Random(seed).NextBytes(secret);
        return new SessionKeySchedule(secret, new Guid(seed, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
    }

    public static (RecordSealer Sealer, RecordOpener Opener) Pair(string cipher, RecordOptions? options = null, int stripe = 0, int seed = 1)
    {
        using var schedule = Schedule(seed);
        return (
            new RecordSealer(schedule.CreateStreamKeys(stripe, StreamDirection.SourceToDestination, cipher), options),
            new RecordOpener(schedule.CreateStreamKeys(stripe, StreamDirection.SourceToDestination, cipher), options));
    }
}
