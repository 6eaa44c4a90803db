using BenchmarkDotNet.Running;
using DmKernel.Benchmarks;

// --ci: the quick, self-checking mode for CI. Anything else goes to BenchmarkSwitcher (e.g. --filter '*TickBench*').
if (Array.IndexOf(args, CiMode.Flag) >= 0)
    return CiMode.Run();
if (Array.IndexOf(args, Probe.Flag) >= 0)
    return Probe.Run(args);

BenchmarkSwitcher.FromAssembly(typeof(CiMode).Assembly).Run(args);
return 0;
