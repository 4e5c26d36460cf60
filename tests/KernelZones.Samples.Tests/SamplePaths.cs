using System.Reflection;

namespace KernelZones.Samples.Tests;

/// <summary>Where the build put the sample programs (recorded by the project file's RecordSamplePaths target).</summary>
internal static class SamplePaths
{
    public static string ReceiverHost => Find("KernelZones.Samples.ReceiverHost");

    public static string SenderHost => Find("KernelZones.Samples.SenderHost");

    public static string Demo => Find("KernelZones.Samples.Demo");

    /// <summary>The two-namespace script, <c>samples/two-hosts/run.sh</c>.</summary>
    public static string TwoHostsScript => Find("TwoHostsScript");

    /// <summary>The repository's top folder (where <c>README.md</c> is).</summary>
    public static string Repository => typeof(SamplePaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "Repository").Value!.TrimEnd('/');

    private static string Find(string assemblyName)
    {
        string path = typeof(SamplePaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == assemblyName)?.Value
            ?? throw new InvalidOperationException($"the test assembly does not record where {assemblyName} was built");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{assemblyName} is not built at {path}", path);
    }
}
