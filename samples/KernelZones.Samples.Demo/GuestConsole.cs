using System.Globalization;
using System.Text.RegularExpressions;
using KernelZones.Migration.Kvm;

namespace KernelZones.Samples.Demo;

/// <summary>
/// Prints a KVM guest's console lines as they arrive, prefixed with the host, and keeps what the demo checks: the
/// last heartbeat's sequence number, how many lines were <c>ok</c>, and whether any said <c>CORRUPT</c>.
/// </summary>
internal sealed partial class GuestConsole
{
    private readonly string _host;
    private readonly KvmGuest _guest;

    public GuestConsole(string host, KvmGuest guest)
    {
        _host = host;
        _guest = guest;
    }

    /// <summary>The sequence number of the first heartbeat printed, or -1.</summary>
    public long FirstSequence { get; private set; } = -1;

    /// <summary>The sequence number of the last heartbeat printed, or -1.</summary>
    public long LastSequence { get; private set; } = -1;

    public int OkLines { get; private set; }

    public int CorruptLines { get; private set; }

    /// <summary>Whether each heartbeat followed the one before it (sequence + 1).</summary>
    public bool InSequence { get; private set; } = true;

    /// <summary>Prints lines until <paramref name="stop"/> is cancelled or the guest stops.</summary>
    public async Task PrintAsync(CancellationToken stop)
    {
        try
        {
            await foreach (string line in _guest.ConsoleLines.ReadAllAsync(stop))
            {
                Print(line);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by the demo.
        }
    }

    /// <summary>Prints the lines already queued.</summary>
    public void Drain()
    {
        while (_guest.ConsoleLines.TryRead(out string? line))
        {
            Print(line);
        }
    }

    /// <summary>Prints the next <paramref name="count"/> lines.</summary>
    public async Task PrintAsync(int count, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        for (int i = 0; i < count; i++)
        {
            Print(await _guest.ConsoleLines.ReadAsync(timeout.Token));
        }
    }

    private void Print(string line)
    {
        Console.WriteLine($"[{_host} mig1 console] {line}");
        Match heartbeat = Heartbeat().Match(line);
        if (!heartbeat.Success)
        {
            return;
        }

        long sequence = long.Parse(heartbeat.Groups[1].Value, CultureInfo.InvariantCulture);
        InSequence &= LastSequence < 0 || sequence == LastSequence + 1;
        FirstSequence = FirstSequence < 0 ? sequence : FirstSequence;
        LastSequence = sequence;
        if (heartbeat.Groups[2].Value == "ok")
        {
            OkLines++;
        }
        else
        {
            CorruptLines++;
        }
    }

    [GeneratedRegex(@"^heartbeat (\d+) ticks=\d+ written=\d+ (ok|CORRUPT page=\d+)$")]
    private static partial Regex Heartbeat();
}
