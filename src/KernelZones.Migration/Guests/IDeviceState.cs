namespace KernelZones.Migration.Guests;

/// <summary>A guest's CPU and device state as one opaque blob, captured on the source and restored on the destination.</summary>
/// <remarks>Thread-safety: <see cref="Capture"/> and <see cref="Restore"/> are called while the vCPUs are suspended
/// and never concurrently with each other.</remarks>
public interface IDeviceState
{
    /// <summary>The largest state the engine transfers, in bytes (16 MiB); a larger capture fails the migration.</summary>
    const int MaxStateBytes = 16 * 1024 * 1024;

    /// <summary>Captures the state of the suspended guest.</summary>
    /// <returns>The state, at most <see cref="MaxStateBytes"/> bytes; it must stay unchanged until the next call on this instance.</returns>
    ReadOnlyMemory<byte> Capture();

    /// <summary>Restores a state captured on the source into the suspended destination guest; the destination does this before it reports its verdict, so that a refusal rolls the migration back.</summary>
    /// <param name="state">Bytes returned by <see cref="Capture"/> on the source, at most <see cref="MaxStateBytes"/>.</param>
    /// <exception cref="ArgumentException">The hypervisor cannot use <paramref name="state"/>.</exception>
    void Restore(ReadOnlySpan<byte> state);
}
