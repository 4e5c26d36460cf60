namespace KernelZones.Migration.Kvm.Tests;

/// <summary>Skips a test, with the reason, where <c>/dev/kvm</c> is not usable.</summary>
internal static class KvmHost
{
    private static readonly Lazy<string?> s_unavailable = new(KvmGuest.ProbeUnavailableReason);

    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    public static void Require()
    {
        if (s_unavailable.Value is string reason)
        {
            Assert.Skip($"KVM is not usable here: {reason}");
        }
    }
}
