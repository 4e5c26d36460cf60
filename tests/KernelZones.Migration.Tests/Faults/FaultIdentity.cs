using KernelZones.Migration.Control;

namespace KernelZones.Migration.Tests.Faults;

/// <summary>One TLS identity for every fault case's destination (creating a certificate per case would dominate the run).</summary>
internal static class FaultIdentity
{
    private static readonly Lazy<ServerIdentity> s_shared = new(Create);

    public static ServerIdentity Shared => s_shared.Value;

    private static ServerIdentity Create()
    {
        string directory = Directory.CreateTempSubdirectory("kz-faults-identity-").FullName;
        var identity = ServerIdentity.LoadOrCreate(directory, "kz-dest");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            identity.Dispose();
            Directory.Delete(directory, recursive: true);
        };
        return identity;
    }
}
