using System.Globalization;
using KernelZones.Migration.Engine;

namespace KernelZones.Samples.SenderHost.Progress;

/// <summary>One finished pre-copy round as a plain line.</summary>
internal static class RoundText
{
    public static string Format(PrecopyRound round) => string.Create(CultureInfo.InvariantCulture,
        $"    round {round.Round}: {round.DataPages} pages + {round.ZeroPages} zero pages, {round.WireBytes / 1e6:0.0} MB in {round.Duration.TotalMilliseconds:0} ms ({round.BytesPerSecond / 1e6:0.0} MB/s), {round.DirtyPages} pages dirtied meanwhile");
}
