using KernelZones.Benchmarks;

// `KernelZones.Benchmarks <mode> [options]` runs an end-to-end mode (see BenchmarkModes);
// anything else is BenchmarkDotNet's command line, so `--filter '*Cipher*'`, `--job short` etc. work.
return await BenchmarkModes.RunAsync(args);
