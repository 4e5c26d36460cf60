namespace KernelZones.Samples.ReceiverHost;

/// <summary>The receiver cannot run on this machine as configured (not a usage error); the message says why.</summary>
internal sealed class StartupException(string message) : Exception(message);
