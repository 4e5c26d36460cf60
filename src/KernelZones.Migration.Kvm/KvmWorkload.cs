using System.Globalization;

namespace KernelZones.Migration.Kvm;

/// <summary>The guest program's workload: <c>idle</c>, or <c>dirty:&lt;MiB/s&gt;:&lt;working set&gt;</c>.</summary>
/// <remarks>Immutable; thread-safe.</remarks>
public sealed record KvmWorkload
{
    private KvmWorkload(KvmWorkloadKind kind, double rateMiBPerSecond, long workingSetBytes)
    {
        Kind = kind;
        RateMiBPerSecond = rateMiBPerSecond;
        WorkingSetBytes = workingSetBytes;
    }

    /// <summary>The idle workload: halt between ticks.</summary>
    public static KvmWorkload Idle { get; } = new(KvmWorkloadKind.Idle, 0, 0);

    /// <summary>The triple-fault workload, for testing the monitor's fault path.</summary>
    public static KvmWorkload TripleFault { get; } = new(KvmWorkloadKind.TripleFault, 0, 0);

    /// <summary>What the guest does.</summary>
    public KvmWorkloadKind Kind { get; }

    /// <summary>For <see cref="KvmWorkloadKind.Dirty"/>: the write rate in MiB/s of pages (256 pages per MiB); 0 means as fast as the vCPU runs.</summary>
    public double RateMiBPerSecond { get; }

    /// <summary>For <see cref="KvmWorkloadKind.Dirty"/>: the working set in bytes, a multiple of 4096.</summary>
    public long WorkingSetBytes { get; }

    /// <summary>A dirty workload.</summary>
    /// <param name="rateMiBPerSecond">Pages written per second, in MiB/s (256 pages per MiB); 0 for full speed; at most 65,536.</param>
    /// <param name="workingSetBytes">The working set in bytes: a positive multiple of 4096.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static KvmWorkload Dirty(double rateMiBPerSecond, long workingSetBytes)
    {
        if (!(rateMiBPerSecond >= 0 && rateMiBPerSecond <= 65_536))
        {
            throw new ArgumentOutOfRangeException(nameof(rateMiBPerSecond), rateMiBPerSecond, "The rate must be 0 (full speed) to 65,536 MiB/s.");
        }

        if (workingSetBytes <= 0 || workingSetBytes % 4096 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(workingSetBytes), workingSetBytes, "The working set must be a positive multiple of 4096 bytes.");
        }

        return new KvmWorkload(KvmWorkloadKind.Dirty, rateMiBPerSecond, workingSetBytes);
    }

    /// <summary>Parses <c>idle</c>, <c>triple-fault</c> or <c>dirty:&lt;MiB/s&gt;:&lt;size&gt;</c> where size is bytes or a number with KiB, MiB or GiB.</summary>
    /// <param name="text">For example <c>dirty:8:16MiB</c>.</param>
    /// <exception cref="FormatException">The text is not a workload.</exception>
    public static KvmWorkload Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':');
        switch (parts[0])
        {
            case "idle" when parts.Length == 1:
                return Idle;
            case "triple-fault" when parts.Length == 1:
                return TripleFault;
            case "dirty" when parts.Length == 3
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double rate)
                && TryParseSize(parts[2], out long size):
                try
                {
                    return Dirty(rate, size);
                }
                catch (ArgumentOutOfRangeException exception)
                {
                    throw new FormatException($"'{text}' is not a valid workload: {exception.Message}", exception);
                }

            default:
                throw new FormatException($"'{text}' is not a workload; expected 'idle', 'triple-fault' or 'dirty:<MiB/s>:<working set>' (for example dirty:8:16MiB).");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        KvmWorkloadKind.Dirty => string.Create(CultureInfo.InvariantCulture, $"dirty:{RateMiBPerSecond}:{WorkingSetBytes}"),
        KvmWorkloadKind.TripleFault => "triple-fault",
        _ => "idle",
    };

    private static bool TryParseSize(string text, out long bytes)
    {
        (string digits, long unit) = text switch
        {
            _ when text.EndsWith("GiB", StringComparison.Ordinal) => (text[..^3], 1L << 30),
            _ when text.EndsWith("MiB", StringComparison.Ordinal) => (text[..^3], 1L << 20),
            _ when text.EndsWith("KiB", StringComparison.Ordinal) => (text[..^3], 1L << 10),
            _ => (text, 1L),
        };
        bytes = 0;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long count) || count > long.MaxValue / unit)
        {
            return false;
        }

        bytes = count * unit;
        return true;
    }
}
