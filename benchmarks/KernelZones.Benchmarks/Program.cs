using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using KernelZones.Benchmarks;

// `KernelZones.Benchmarks <mode> [args]` runs an end-to-end mode (see BenchmarkModes);
// anything else is BenchmarkDotNet's command line, so `--filter '*Cipher*'`, `--job short` etc. work.
if (BenchmarkModes.Find(args) is { } mode)
{
    return await mode(args[1..]);
}

IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
