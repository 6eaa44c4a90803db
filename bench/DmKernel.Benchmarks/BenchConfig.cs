using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using DmKernel.Benchmarks.Columns;

namespace DmKernel.Benchmarks;

/// <summary>
/// What every suite shows in both modes (applied with <c>[Config(typeof(BenchConfig))]</c>): allocations per
/// operation, ns/VM, and the speedup over one thread where a suite has a Threads parameter. The Ratio column
/// comes from BenchmarkDotNet's default columns wherever a suite has a baseline.
/// </summary>
internal sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(NsPerVmColumn.Instance, SpeedupColumn.Instance);
    }
}
