using System.Diagnostics;

namespace KernelZones.Samples.Tests;

/// <summary>
/// A command run in a detached tmux session of a set size, on a tmux server of its own (a socket in
/// <paramref name="directory"/>): what the screen shows when the command has ended (<c>capture-pane -p</c>), and every
/// byte the command wrote to the terminal (<c>pipe-pane</c>), carriage returns and all.
/// </summary>
internal sealed class TerminalSession(string directory) : IAsyncDisposable
{
    private readonly string _socket = Path.Combine(directory, "tmux.sock");
    private readonly string _raw = Path.Combine(directory, "terminal.raw");

    /// <summary>Where tmux is, or <see langword="null"/> when it is not installed.</summary>
    public static string? Tmux { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "tmux")).FirstOrDefault(File.Exists);

    /// <summary>Runs <paramref name="command"/> (a shell command line) on a <paramref name="width"/> × <paramref name="height"/> terminal.</summary>
    public async Task<(string Screen, string Raw)> RunAsync(string command, int width, int height, TimeSpan timeout)
    {
        string tmux = $"{Tmux} -S {_socket}";

        // The command waits for 'go' until its output is piped, and signals 'done' when it has ended; the pane then stays.
        await TmuxAsync(timeout, "-f", "/dev/null", "new-session", "-d", "-s", "kz", "-x", $"{width}", "-y", $"{height}",
            $"{tmux} wait-for go; {command}; echo \"exit status $?\"; {tmux} wait-for -S done; exec sleep 3600");
        await TmuxAsync(timeout, "pipe-pane", "-t", "kz", $"cat > {_raw}; {tmux} wait-for -S piped");
        await TmuxAsync(timeout, "wait-for", "-S", "go");
        await TmuxAsync(timeout, "wait-for", "done");
        string screen = await TmuxAsync(timeout, "capture-pane", "-p", "-t", "kz");

        // Closing the pipe ends cat, which signals once it has written everything.
        await TmuxAsync(timeout, "pipe-pane", "-t", "kz");
        await TmuxAsync(timeout, "wait-for", "piped");
        return (screen, await File.ReadAllTextAsync(_raw));
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(_socket))
        {
            await TmuxAsync(TimeSpan.FromSeconds(30), "kill-server");
        }
    }

    private async Task<string> TmuxAsync(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(Tmux ?? throw new InvalidOperationException("tmux is not installed"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-S");
        start.ArgumentList.Add(_socket);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw new TimeoutException($"tmux {string.Join(' ', args)} did not end within {timeout}");
        }

        Assert.True(process.ExitCode == 0, $"tmux {string.Join(' ', args)} exited {process.ExitCode}: {await error}");
        return await output;
    }
}
