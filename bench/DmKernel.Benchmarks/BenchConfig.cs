using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using DmKernel.Benchmarks.Columns;

namespace DmKernel.Benchmarks;

/// <summary>
/// What every suite shows in both modes (applied with <c>[Config(typeof(BenchConfig))]</c>): allocations per
/// operation, ns/VM, and the speedup over one thread where a suite has a Threads parameter. No suite has a baseline
/// method (their baselines are parameter values): TickBench adds its own same-run ratio columns (TickBenchConfig).
/// </summary>
internal sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(NsPerVmColumn.Instance, SpeedupColumn.Instance);
    }
}
