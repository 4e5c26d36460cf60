using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace KernelZones.Migration.Kvm.Tests;

/// <summary>A parsed <c>heartbeat &lt;seq&gt; ticks=&lt;n&gt; written=&lt;n&gt; ok|CORRUPT page=&lt;n&gt;</c> line.</summary>
internal sealed partial record Heartbeat(long Sequence, long Ticks, long Written, long? CorruptPage)
{
    public bool Ok => CorruptPage is null;

    public static Heartbeat Parse(string line)
    {
        Match match = Pattern().Match(line);
        Assert.True(match.Success, $"Not a heartbeat line: '{line}'");
        long? corrupt = match.Groups[5].Success ? long.Parse(match.Groups[5].Value, CultureInfo.InvariantCulture) : null;
        return new Heartbeat(
            long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
            long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture),
            corrupt);
    }

    /// <summary>Reads lines until one is a heartbeat (all lines the program prints are), waiting at most <paramref name="timeout"/>.</summary>
    public static async Task<Heartbeat> NextAsync(ChannelReader<string> lines, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            string line = await lines.ReadAsync(cancellation.Token);
            return Parse(line);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No heartbeat within {timeout}.");
        }
    }

    /// <summary>Drops lines already queued, so that the next line read is new.</summary>
    public static void Drain(ChannelReader<string> lines)
    {
        while (lines.TryRead(out _))
        {
        }
    }

    [GeneratedRegex(@"^heartbeat (\d+) ticks=(\d+) written=(\d+) (ok|CORRUPT page=(\d+))$")]
    private static partial Regex Pattern();
}
