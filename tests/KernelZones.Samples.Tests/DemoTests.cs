namespace KernelZones.Samples.Tests;

/// <summary>The README's first command: the one-process demo migrates the example zone mig1 and says so, as the README promises.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_migrates_mig1_with_every_step_message_and_ends_with_it_running_on_the_destination()
    {
        var demo = await SampleProcess.RunAsync(SamplePaths.Demo, ["--memory", "128M"]);

        Assert.True(demo.ExitCode == 0, demo.Output + demo.Error);
        string[] lines = demo.Output.ReplaceLineEndings("\n").Split('\n');
        string[] steps = [.. lines.Where(l => l.StartsWith("zoneadm: zone 'mig1': ", StringComparison.Ordinal) && !l.Contains("No such zone", StringComparison.Ordinal))];
        Assert.Equal(
            [
                "Importing zone configuration.", "Attaching zone.", "Booting zone in 'migrating-in' mode.", "Checking migration compatibility.",
                "Starting migration.", "Suspending zone on source host.", "Waiting for migration to complete.", "Migration successful.",
                "Halting and detaching zone on source host.",
            ],
            steps.Select(l => l["zoneadm: zone 'mig1': ".Length..]));

        // After the migration: `zoneadm -z mig1 list -s` on the source, then on the destination.
        string after = demo.Output[demo.Output.LastIndexOf("Halting and detaching", StringComparison.Ordinal)..];
        int source = after.IndexOf("mig1             configured", StringComparison.Ordinal);
        int destination = after.IndexOf("mig1             running", StringComparison.Ordinal);
        Assert.True(source >= 0 && destination > source, after);
        Assert.Contains("memory on the destination equals the source's at suspension", demo.Output, StringComparison.Ordinal);

        // The summary ends with the end-to-end figure, the one the operator waits for.
        Assert.Matches(@"\n\s+end to end \d+\.\d{3} GB/s \(memory size over the total time\)\n", demo.Output.ReplaceLineEndings("\n"));
    }
}
