using System.Diagnostics;
using System.Text;

namespace KernelZones.Samples.Tests;

/// <summary>
/// A sample program run as <c>dotnet &lt;dll&gt; args</c> with its output captured line by line; waits on lines and on exit,
/// each with a timeout. Disposing kills the process tree if it still runs.
/// </summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _output = [];
    private readonly StringBuilder _error = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    private SampleProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_gate)
            {
                return _error.ToString();
            }
        }
    }

    public static SampleProcess Start(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? input = null) =>
        Launch(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [dll, .. args], workingDirectory: null, environment, input);

    /// <summary>Runs <paramref name="script"/> with <c>bash -c</c> in <paramref name="workingDirectory"/>, as an operator's shell would.</summary>
    public static SampleProcess StartShell(string script, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, string? input = null) =>
        Launch("bash", ["-c", script], workingDirectory, environment, input);

    private static SampleProcess Launch(string program, IEnumerable<string> args, string? workingDirectory, IReadOnlyDictionary<string, string>? environment, string? input)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("KZ_", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(name);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var sample = new SampleProcess(process);
        process.OutputDataReceived += (_, e) => sample.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => sample.OnError(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        return sample;
    }

    /// <summary>Runs a program to its end.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? input = null)
    {
        await using SampleProcess sample = Start(dll, args, environment, input);
        int exitCode = await sample.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, sample.Output, sample.Error);
    }

    /// <summary>The first output line (already printed or still to come) that matches.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_output.FirstOrDefault(match) is { } line)
            {
                return Task.FromResult(line);
            }

            _waiters.Add((match, found));
        }

        return found.Task.WaitAsync(timeout);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as a service manager stops a service.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Kills the process tree with SIGKILL (not a stop: nothing of the program runs after it) and waits for it to end.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToArray())
            {
                waiter.Found.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }

    private void OnError(string? line)
    {
        if (line is not null)
        {
            lock (_gate)
            {
                _error.Append(line).Append('\n');
            }
        }
    }
}
