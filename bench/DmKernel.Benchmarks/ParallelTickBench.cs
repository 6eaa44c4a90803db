using BenchmarkDotNet.Attributes;

namespace DmKernel.Benchmarks;

/// <summary>
/// One tick of the whole fleet on the dispatched vector path with 1 or 2 threads (the caller plus workers,
/// claiming pieces of hosts of equal slot counts), on the steady and the realistic workload (<see cref="TickBench"/>'s: every VM's committed
/// demand changes every tick, the next pre-drawn column; here handed to <c>Balancer.Tick(committedMb)</c>, whose threads
/// each check and copy the slots of the hosts they tick, as an embedder that ticks on several threads would). A quarter of the hosts are short,
/// so per-host costs differ as in a real fleet. The Speedup column divides the one-thread mean by each mean.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class ParallelTickBench
{
    /// <summary>Percent of hosts short of memory in this suite.</summary>
    public const int ShortSharePercent = 25;

    private Fleet _fleet = null!;
    private Balancer _balancer = null!;
    private CommittedFeed? _feed;

    /// <summary>VMs in the fleet (hosts of 63 or 64 VMs).</summary>
    [ParamsSource(nameof(VmsValues))]
    public int Vms { get; set; }

    [ParamsAllValues]
    public TickWorkload Workload { get; set; }

    /// <summary>Threads ticking hosts, the calling thread included.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    public static IEnumerable<int> VmsValues => BenchSizes.Select(50_000, 1_000_000);

    [GlobalSetup]
    public void Setup()
    {
        _fleet = DmKernel.Benchmarks.Workload.Build(Vms, ShortSharePercent);
        if (Workload == TickWorkload.Realistic)
            _feed = new CommittedFeed(_fleet);
        _balancer = new Balancer(_fleet, KernelPath.Auto, Threads);
        int ticks = _feed is null ? 1 : TickBench.RealisticWarmTicks;
        for (int t = 0; t < ticks; t++)
        {
            Tick();
            DmKernel.Benchmarks.Workload.CheckShortHosts(_fleet, ShortSharePercent);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _balancer.Dispose();

    /// <summary>The balancer ticked, for the exact allocation check (its workers' own allocation counters).</summary>
    internal Balancer Balancer => _balancer;

    [Benchmark]
    public void Tick()
    {
        if (_feed is not null)
            _balancer.Tick(_feed.Next());
        else
            _balancer.Tick();
    }
}
