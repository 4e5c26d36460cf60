namespace KernelZones.Migration.Engine;

/// <summary>What a migration does when pre-copy hits a limit (rounds, bytes sent or wall time) before it converges.</summary>
public enum LimitPolicy
{
    /// <summary>Cancel the migration; the zone keeps running on the source, unchanged. The default.</summary>
    Cancel = 0,

    /// <summary>Switch over anyway and accept a downtime longer than the target.</summary>
    ForceSwitchover = 1,

    /// <summary>Slow the guest through its <see cref="Guests.IGuestThrottle"/> (auto-converge) and keep going; cancel if it has none or it reaches its floor.</summary>
    Throttle = 2,
}
