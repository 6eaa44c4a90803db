using BenchmarkDotNet.Attributes;

namespace DmKernel.Benchmarks;

/// <summary>The kernel path of a <see cref="PolicyTickBench"/> case.</summary>
public enum PolicyBenchPath
{
    /// <summary>The scalar reference.</summary>
    Scalar,

    /// <summary>The widest accelerated vector path (Vector512 on AVX-512).</summary>
    Vector,
}

/// <summary>
/// One tick of the whole fleet on one thread under each balancer policy (docs/policies.md), on TickBench's fleet and
/// realistic workload (every VM's committed demand changes every tick), with 0 % and 25 % short hosts, on the scalar
/// reference and the widest vector path (the goal policies: scalar goals and plan, vector finishing pass). Column ns/VM
/// is the cost per VM-tick. A separate class from <see cref="TickBench"/> so that the two
/// suites evolve apart.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class PolicyTickBench
{
    private Fleet _fleet = null!;
    private Balancer _balancer = null!;
    private CommittedFeed _feed = null!;

    /// <summary>VMs in the fleet (hosts of 63 or 64 VMs).</summary>
    [ParamsSource(nameof(VmsValues))]
    public int Vms { get; set; }

    /// <summary>Percent of hosts short of memory under Hyper-V (the same fleet for every policy).</summary>
    [Params(0, 25)]
    public int ShortSharePercent { get; set; }

    [Params(PolicyKind.HyperV, PolicyKind.Static, PolicyKind.Squeezed, PolicyKind.Mom, PolicyKind.Esx)]
    public PolicyKind Policy { get; set; }

    [ParamsAllValues]
    public PolicyBenchPath Path { get; set; }

    /// <summary>10 000 VMs and 100 000. CI mode does not time this suite; its exact allocation check (<see cref="AllocationCheck"/>) ticks every policy at 10 000 VMs.</summary>
    public static IEnumerable<int> VmsValues => BenchSizes.SelectWithCi([10_000], 10_000, 100_000);

    [GlobalSetup]
    public void Setup()
    {
        _fleet = DmKernel.Benchmarks.Workload.Build(Vms, ShortSharePercent);
        _feed = new CommittedFeed(_fleet);
        KernelPath path = Path == PolicyBenchPath.Scalar ? KernelPath.Scalar : KernelPaths.Widest;
        _balancer = new Balancer(_fleet, BalancerPolicy.Of(Policy), path, 1);

        // Past the boot grace and the policies' first periodic steps, with the demand moving.
        for (int t = 0; t < 2 * TickBench.RealisticWarmTicks; t++)
            Tick();
    }

    [GlobalCleanup]
    public void Cleanup() => _balancer.Dispose();

    /// <summary>The balancer ticked (for the tests).</summary>
    internal Balancer BalancerForTests => _balancer;

    [Benchmark]
    public void Tick()
    {
        _fleet.SetCommitted(_feed.Next());
        _balancer.Tick();
    }
}
