using KernelZones.Migration.Engine;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>The source's progress, reported synchronously on the engine's own flow, running each hook once at its step.</summary>
internal sealed class ProgressHooks : IProgress<MigrationProgress>
{
    private readonly List<(MigrationStep Step, Func<MigrationProgress, bool> When, Action Action)> _hooks = [];
    public void On(MigrationStep step, Func<MigrationProgress, bool> when, Action action)
    {
        lock (_hooks)
        {
            _hooks.Add((step, when, action));
        }
    }

    public void Report(MigrationProgress value)
    {
        Action[] due;
        lock (_hooks)
        {
            var matching = _hooks.Where(h => h.Step == value.Step && h.When(value)).ToArray();
            _hooks.RemoveAll(h => matching.Contains(h));
            due = [.. matching.Select(h => h.Action)];
        }

        foreach (var action in due)
        {
            action();
        }
    }
}
