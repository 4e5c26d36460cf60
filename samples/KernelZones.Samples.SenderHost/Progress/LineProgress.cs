using KernelZones.Migration.Engine;

namespace KernelZones.Samples.SenderHost.Progress;

/// <summary>For redirected output: each step message once, as zoneadm prints it, and a plain line per pre-copy round.</summary>
internal sealed class LineProgress(TextWriter output) : IMigrationOutput
{
    private readonly Lock _gate = new();
    private MigrationStep? _step;

    public void Report(MigrationProgress value)
    {
        lock (_gate)
        {
            if (value.Step != _step)
            {
                output.WriteLine(value.Message);
                _step = value.Step;
            }

            if (value.Round is { } round)
            {
                output.WriteLine(RoundText.Format(round));
            }
        }
    }

    public void WriteLine(string line)
    {
        lock (_gate)
        {
            output.WriteLine(line);
        }
    }

    public void Dispose()
    {
    }
}
