using BenchmarkDotNet.Running;
using DmKernel.Benchmarks;

// --ci: the quick, self-checking mode for CI. --alloc-check: only its exact allocation check (AllocationCheck). --bitbrains-synth: writes a synthetic Bitbrains folder (for import
// measurements outside BenchmarkDotNet). Anything else goes to BenchmarkSwitcher (e.g. --filter '*.TickBench.*'), whose exit
// code is 1 when a benchmark did not run to completion or none ran (FullModeExit). A mode's bad argument or environment
// variable is an error line and exit code 2, not an unhandled exception (ProgramArguments).
return ProgramArguments.Run(() =>
{
    foreach (string flag in (string[])[CiMode.Flag, AllocationCheck.Flag])
    {
        if (Array.IndexOf(args, flag) >= 0)
        {
            ProgramArguments.RefuseOthers(args, flag);
            return flag == CiMode.Flag ? CiMode.Run() : AllocationCheck.Run(BenchmarkDotNet.Loggers.ConsoleLogger.Default) == 0 ? 0 : 1;
        }
    }

    if (args.Length > 0 && args[0] == BitbrainsSynth.Flag)
        return BitbrainsSynth.Run(args);
    if (Array.IndexOf(args, Probe.Flag) >= 0)
        return Probe.Run(args);
    if (Array.IndexOf(args, ReplayProbe.Flag) >= 0)
        return ReplayProbe.Run(args);

    ProgramArguments.CheckEnvironment(); // BenchmarkDotNet reads every suite's parameters, whatever the filter
    return FullModeExit.Of(BenchmarkSwitcher.FromAssembly(typeof(CiMode).Assembly).Run(args), BenchmarkDotNet.Loggers.ConsoleLogger.Default, args);
});
