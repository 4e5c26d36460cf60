namespace KernelZones.Migration.Guests;

/// <summary>A guest's CPU and device state as one opaque blob, captured on the source and restored on the destination.</summary>
/// <remarks>Thread-safety: <see cref="Capture"/> and <see cref="Restore"/> are called while the vCPUs are suspended
/// and never concurrently with each other.</remarks>
public interface IDeviceState
{
    /// <summary>The largest state the engine transfers, in bytes (16 MiB); a larger capture fails the migration.</summary>
    const int MaxStateBytes = 16 * 1024 * 1024;

    /// <summary>The longest <see cref="Format"/>, in characters (64).</summary>
    const int MaxFormatLength = 64;

    /// <summary>
    /// The name and version of the state's layout: what <see cref="Capture"/> produces and <see cref="Restore"/> accepts,
    /// e.g. <c>kvm-x86/1</c>. 1 to <see cref="MaxFormatLength"/> printable ASCII characters, no spaces; it stays the
    /// same for the guest's lifetime.
    /// </summary>
    /// <remarks>
    /// The source states its guest's format in the compatibility check; the destination compares it byte for byte
    /// (ordinal) with the format of the guest it booted for the zone and reports a different one as a compatibility
    /// problem (<see cref="MigrationFailureKind.Compatibility"/>), before any memory moves and in a dry run too. Give a new name or version whenever
    /// a destination could not restore what the source captures.
    /// </remarks>
    string Format { get; }

    /// <summary>Captures the state of the suspended guest.</summary>
    /// <returns>The state, at most <see cref="MaxStateBytes"/> bytes; it must stay unchanged until the next call on this instance.</returns>
    ReadOnlyMemory<byte> Capture();

    /// <summary>Restores a state captured on the source into the suspended destination guest; the destination does this before it reports its verdict, so that a refusal rolls the migration back.</summary>
    /// <param name="state">Bytes returned by <see cref="Capture"/> on the source, at most <see cref="MaxStateBytes"/>.</param>
    /// <exception cref="ArgumentException">The hypervisor cannot use <paramref name="state"/>.</exception>
    void Restore(ReadOnlySpan<byte> state);
}
