using BenchmarkDotNet.Running;
using DmKernel.Benchmarks;

// --ci: the quick, self-checking mode for CI. --alloc-check: only its exact allocation check (AllocationCheck). --bitbrains-synth: writes a synthetic Bitbrains folder (for import
// measurements outside BenchmarkDotNet). Anything else goes to BenchmarkSwitcher (e.g. --filter '*TickBench*'), whose exit
// code is 1 when a benchmark did not run to completion (FullModeExit).
if (Array.IndexOf(args, CiMode.Flag) >= 0)
    return CiMode.Run();
if (Array.IndexOf(args, AllocationCheck.Flag) >= 0)
    return AllocationCheck.Run(BenchmarkDotNet.Loggers.ConsoleLogger.Default) == 0 ? 0 : 1;
if (args.Length > 0 && args[0] == BitbrainsSynth.Flag)
    return BitbrainsSynth.Run(args);

if (Array.IndexOf(args, Probe.Flag) >= 0)
    return Probe.Run(args);
if (Array.IndexOf(args, ReplayProbe.Flag) >= 0)
    return ReplayProbe.Run(args);

return FullModeExit.Of(BenchmarkSwitcher.FromAssembly(typeof(CiMode).Assembly).Run(args), BenchmarkDotNet.Loggers.ConsoleLogger.Default);
