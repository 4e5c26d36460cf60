using KernelZones.Migration.Engine;

namespace KernelZones.Samples.SenderHost.Progress;

/// <summary>What <c>migrate</c> prints while it runs: the engine's progress, and lines of its own between them (a KVM guest's console).</summary>
internal interface IMigrationOutput : IProgress<MigrationProgress>, IDisposable
{
    /// <summary>Prints one line between the step messages (any thread).</summary>
    void WriteLine(string line);
}
