using BenchmarkDotNet.Attributes;

namespace DmKernel.Benchmarks;

/// <summary>
/// One tick of the whole fleet on the dispatched vector path with 1 or 2 threads (the caller plus workers,
/// hosts split by slot count). A quarter of the hosts are short, so per-host costs differ as in a real
/// fleet. The Speedup column divides the one-thread mean by each mean.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class ParallelTickBench
{
    /// <summary>Percent of hosts short of memory in this suite.</summary>
    public const int ShortSharePercent = 25;

    private Balancer _balancer = null!;

    /// <summary>VMs in the fleet (hosts of 63 or 64 VMs).</summary>
    [ParamsSource(nameof(VmsValues))]
    public int Vms { get; set; }

    /// <summary>Threads ticking hosts, the calling thread included.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    public static IEnumerable<int> VmsValues => BenchSizes.Select(50_000, 1_000_000);

    [GlobalSetup]
    public void Setup()
    {
        Fleet fleet = Workload.Build(Vms, ShortSharePercent);
        _balancer = new Balancer(fleet, KernelPath.Auto, Threads);
        _balancer.Tick();
        Workload.CheckShortHosts(fleet, ShortSharePercent);
    }

    [GlobalCleanup]
    public void Cleanup() => _balancer.Dispose();

    [Benchmark]
    public void Tick() => _balancer.Tick();
}
