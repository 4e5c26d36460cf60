using KernelZones.Migration.Control;

namespace KernelZones.Samples.ReceiverHost.Commands;

/// <summary><c>identity</c>: creates the TLS identity if missing and prints where it is and its fingerprint, for pinning it out of band.</summary>
internal sealed class IdentityCommand(ReceiverSettings settings)
{
    public int Run()
    {
        using var identity = ServerIdentity.LoadOrCreate(settings.IdentityDirectory, settings.HostName);
        Console.WriteLine($"certificate  {Path.Combine(settings.IdentityDirectory, ServerIdentity.CertificateFileName)}");
        Console.WriteLine($"private key  {Path.Combine(settings.IdentityDirectory, ServerIdentity.KeyFileName)}");
        Console.WriteLine($"fingerprint  {identity.Fingerprint}");
        return 0;
    }
}
