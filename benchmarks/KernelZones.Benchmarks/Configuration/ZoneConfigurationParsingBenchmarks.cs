using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using KernelZones.Migration.Configuration;

namespace KernelZones.Benchmarks.Configuration;

/// <summary>
/// Parsing and writing a zonecfg configuration of 1,000 resources (target: parsing takes well under 10 ms):
/// 600 <c>anet</c>s with several properties, 398 <c>device</c>s on iSCSI and NFS (half of them templates),
/// <c>capped-memory</c> and <c>virtual-cpu</c>.
/// </summary>
[MemoryDiagnoser]
public class ZoneConfigurationParsingBenchmarks
{
    private const int AnetCount = 600;
    private const int DeviceCount = 398;

    private string _export = string.Empty;
    private string _info = string.Empty;
    private ZoneConfiguration _configuration = null!;

    [GlobalSetup]
    public void Setup()
    {
        _export = BuildExport();
        _configuration = ZoneConfiguration.ParseExport(_export, "bench1");
        _info = _configuration.ToInfo();
        if (_configuration.Resources.Length != 1000)
        {
            throw new InvalidOperationException($"expected 1000 resources, got {_configuration.Resources.Length}");
        }
    }

    [Benchmark(Baseline = true)]
    public ZoneConfiguration ParseExport() => ZoneConfiguration.ParseExport(_export, "bench1");

    [Benchmark]
    public ZoneConfiguration ParseInfo() => ZoneConfiguration.ParseInfo(_info);

    [Benchmark]
    public string WriteExport() => _configuration.ToExport();

    private static string BuildExport()
    {
        var text = new StringBuilder("create -b\nset brand=solaris-kz\nset autoboot=true\nset bootargs=\"kz=d -k -m verbose\"\nset hostid=0x2e7d2173\n");
        for (int i = 0; i < AnetCount; i++)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"add anet\nset lower-link=auto\nset link-protection=mac-nospoof\nset mac-address=auto\nset configure-allowed-address=true\nset mtu=9000\nset id={i}\nend\n");
        }

        for (int i = 0; i < DeviceCount; i++)
        {
            string storage = i % 2 == 0
                ? $"iscsi://zfssa:3260/luname.naa.600144f0dbf8af19000052e820{i:x6}"
                : "nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}";
            text.Append(CultureInfo.InvariantCulture, $"add device\nset storage={storage}\nset id={i}\nset bootpri={i % 4}\nend\n");
        }

        text.Append("add capped-memory\nset physical=64G\nset pagesize-policy=largest-available\nend\nadd virtual-cpu\nset ncpus=16\nend\n");
        return text.ToString();
    }
}
