namespace KernelZones.Migration.Transport.Keys;

/// <summary>The direction of a stream on a stripe; each direction has its own keys and nonces.</summary>
public enum StreamDirection : byte
{
    /// <summary>From the migration source to the destination: page data.</summary>
    SourceToDestination = 0,

    /// <summary>From the destination back to the source: acknowledgements and progress.</summary>
    DestinationToSource = 1,
}
