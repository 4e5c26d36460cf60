namespace KernelZones.Samples;

/// <summary>The command line or the environment is not valid; the message says what to change.</summary>
internal sealed class UsageException(string message) : Exception(message);
