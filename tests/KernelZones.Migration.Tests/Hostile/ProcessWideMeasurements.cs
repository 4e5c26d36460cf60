namespace KernelZones.Migration.Tests.Hostile;

/// <summary>
/// Tests that measure the whole process (working set, managed heap, open files) run alone, after the parallel tests,
/// so that another test's guest or sockets are not counted as theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeasurements
{
    public const string Name = "process-wide measurements";
}
