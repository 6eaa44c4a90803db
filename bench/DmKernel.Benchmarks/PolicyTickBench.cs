using BenchmarkDotNet.Attributes;

namespace DmKernel.Benchmarks;

/// <summary>What a <see cref="PolicyTickBench"/> case runs: Hyper-V on its scalar reference or its widest vector path, or a goal policy.</summary>
public enum PolicyCase
{
    /// <summary>Hyper-V Dynamic Memory on the scalar reference (the baseline).</summary>
    HyperVScalar,

    /// <summary>Hyper-V Dynamic Memory on the widest accelerated vector path.</summary>
    HyperVVector,

    /// <summary>Every VM at its Startup (P1).</summary>
    Static,

    /// <summary>Xen squeezed (P2–P4).</summary>
    Squeezed,

    /// <summary>oVirt MoM (P5–P6).</summary>
    Mom,

    /// <summary>VMware ESX (P7–P9).</summary>
    Esx,
}

/// <summary>
/// One tick of the whole fleet on one thread under each balancer policy (docs/policies.md), on TickBench's fleet and
/// realistic workload (every VM's committed demand changes every tick), with 0 % and 25 % short hosts. Hyper-V runs on
/// the scalar reference (the baseline) and on the widest vector path; the goal policies have one scalar per-host kernel
/// for every path. Column ns/VM is the cost per VM-tick. A separate class from <see cref="TickBench"/> so that the two
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

    [ParamsAllValues]
    public PolicyCase Policy { get; set; }

    /// <summary>10 000 VMs (CI and default), and 100 000.</summary>
    public static IEnumerable<int> VmsValues => BenchSizes.SelectWithCi([10_000], 10_000, 100_000);

    [GlobalSetup]
    public void Setup()
    {
        _fleet = DmKernel.Benchmarks.Workload.Build(Vms, ShortSharePercent);
        _feed = new CommittedFeed(_fleet);
        (BalancerPolicy policy, KernelPath path) = Policy switch
        {
            PolicyCase.HyperVScalar => (BalancerPolicy.HyperV, KernelPath.Scalar),
            PolicyCase.HyperVVector => (BalancerPolicy.HyperV, KernelPaths.Widest),
            PolicyCase.Static => (BalancerPolicy.Static, KernelPath.Scalar),
            PolicyCase.Squeezed => (BalancerPolicy.Squeezed, KernelPath.Scalar),
            PolicyCase.Mom => (BalancerPolicy.Mom, KernelPath.Scalar),
            _ => (BalancerPolicy.Esx, KernelPath.Scalar),
        };
        _balancer = new Balancer(_fleet, policy, path, 1);

        // Past the boot grace and the policies' first periodic steps, with the demand moving.
        for (int t = 0; t < 2 * TickBench.RealisticWarmTicks; t++)
            Tick();
    }

    [GlobalCleanup]
    public void Cleanup() => _balancer.Dispose();

    [Benchmark]
    public void Tick()
    {
        _fleet.SetCommitted(_feed.Next());
        _balancer.Tick();
    }
}
