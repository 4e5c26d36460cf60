using System.Text.RegularExpressions;

namespace KernelZones.Samples.Tests;

/// <summary>SenderHost's migrate on a real terminal (tmux): a progress bar redrawn in place, step messages left on the screen.</summary>
public sealed partial class TerminalProgressTests
{
    [Fact]
    public async Task OnATerminal_MigrateDrawsItsProgressBar_AndTheScreenKeepsTheStepMessages()
    {
        if (TerminalSession.Tmux is null)
        {
            Assert.Skip("tmux is not installed (.ci/run installs it), so SenderHost is not run on a terminal here");
        }

        await using var hosts = new TwoHosts();
        const string password = "terminal test";
        await hosts.AddUserAsync("root", password);
        await hosts.StartReceiverAsync();
        await hosts.CreateRunningZoneAsync("kz1", "64M", bootOptions: ["--workload", "none"]);
        string passwordFile = Path.Combine(hosts.Root, "password");
        File.WriteAllText(passwordFile, password + "\n");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        string command = $"KZ_STATE_DIR={hosts.SenderState} {dotnet} {SamplePaths.SenderHost} zoneadm -z kz1 migrate --password-file {passwordFile} root@127.0.0.1:{hosts.ControlPort}";

        await using var terminal = new TerminalSession(hosts.Root);
        (string screen, string raw) = await terminal.RunAsync(command, width: 120, height: 30, TwoHosts.Timeout);

        // The bar is drawn over its own line with a carriage return, at once when pre-copy starts and then four times a second.
        Assert.Matches(@"\r\[[#.]{30}\] +\d+%  +\d+\.\d MB sent  +\d+\.\d MB/s  ETA (--:--|\d+:\d\d)  round \d+", raw);
        string[] lines = [.. screen.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd())];
        string[] steps = [.. lines.Where(l => l.StartsWith("zoneadm: ", StringComparison.Ordinal))];
        Assert.Equal(TwoHosts.MigrationSteps("kz1"), steps);
        Assert.DoesNotContain(lines, l => BarRemnant().IsMatch(l));
        Assert.Contains(lines, l => l.StartsWith("summary: total ", StringComparison.Ordinal));
        Assert.Contains("exit status 0", lines);
    }

    [GeneratedRegex(@"\[[#.]{30}\]")]
    private static partial Regex BarRemnant();
}
