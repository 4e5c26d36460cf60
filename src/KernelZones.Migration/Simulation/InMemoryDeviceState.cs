using System.Security.Cryptography;
using KernelZones.Migration.Guests;

namespace KernelZones.Migration.Simulation;

/// <summary>Simulated CPU and device registers: a byte blob the guest owns, captured and restored whole.</summary>
/// <remarks>Thread-safety: every member may be called from any thread.</remarks>
internal sealed class InMemoryDeviceState : IDeviceState
{
    /// <summary>Size of the initial state in bytes (4096).</summary>
    public const int InitialStateBytes = 4096;

    /// <summary>
    /// The simulated guest's <see cref="IDeviceState.Format"/>: opaque bytes of any length up to the engine's limit.
    /// Internal: an embedder reads it from <see cref="InMemoryGuest.Devices"/>, and only a simulated guest takes it.
    /// </summary>
    public const string FormatName = "simulated/1";

    private readonly object _lock = new();
    private byte[] _state;

    /// <summary>Creates a state of <see cref="InitialStateBytes"/> random bytes, so that two guests differ until one is restored from the other.</summary>
    public InMemoryDeviceState()
    {
        _state = RandomNumberGenerator.GetBytes(InitialStateBytes);
    }

    /// <summary>A copy of the current state.</summary>
    public ReadOnlyMemory<byte> Current
    {
        get
        {
            lock (_lock)
            {
                return _state.AsSpan().ToArray();
            }
        }
    }

    /// <summary>Replaces the state (what a running guest does to its registers).</summary>
    /// <param name="state">The new state, copied; at most <see cref="IDeviceState.MaxStateBytes"/> bytes (larger is allowed here so that tests can exercise the engine's limit, up to 4 × that).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="state"/> is longer than 4 × <see cref="IDeviceState.MaxStateBytes"/>.</exception>
    public void Set(ReadOnlySpan<byte> state)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(state.Length, 4 * IDeviceState.MaxStateBytes, nameof(state));
        byte[] copy = state.ToArray();
        lock (_lock)
        {
            _state = copy;
        }
    }

    /// <inheritdoc/>
    public string Format => FormatName;

    /// <inheritdoc/>
    /// <remarks>Returns a fresh copy each call.</remarks>
    public ReadOnlyMemory<byte> Capture() => Current;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="state"/> is longer than <see cref="IDeviceState.MaxStateBytes"/>.</exception>
    public void Restore(ReadOnlySpan<byte> state)
    {
        if (state.Length > IDeviceState.MaxStateBytes)
        {
            throw new ArgumentException($"The device state is {state.Length} bytes, more than the {IDeviceState.MaxStateBytes}-byte limit.", nameof(state));
        }

        Set(state);
    }
}
