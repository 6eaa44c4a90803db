using BenchmarkDotNet.Attributes;
using DmKernel.Kernel;

namespace DmKernel.Benchmarks;

/// <summary>
/// R4's reclaim when a short host starts many VMs in one tick: one lifecycle pass (<c>Lifecycle.ProcessRequests</c>) of a
/// host of <see cref="VmsPerHost"/> VMs, every tenth of them Off and asked to start, on a host whose Available the
/// balancer has handed out, so that every start takes memory from lower-or-equal-weight donors. <c>Scan</c> is the
/// scalar reference's reclaim (a scan and sort of every VM per start); <c>Indexed</c> the vector paths' donor index
/// (<c>DonorIndex</c>: built once per pass). The same state before each operation (restored in the iteration setup,
/// one operation per iteration), the same results after it (checked in the setup). Ratio: Indexed's mean over Scan's.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
[InvocationCount(1, 1)]
public class ReclaimBench
{
    private Fleet _fleet = null!;
    private byte[] _state = [];
    private HostScratch _scratch = null!;

    /// <summary>VMs on the one host (a real Hyper-V host holds up to 1 024; the trace formats allow 65 536).</summary>
    [Params(64, 1000, 10_000)]
    public int VmsPerHost { get; set; }

    /// <summary>The VMs asked to start in the pass: every tenth.</summary>
    public int Starts => (VmsPerHost + 9) / 10;

    [GlobalSetup]
    public void Setup()
    {
        // One short host (Workload: the host holds its reserve plus the VMs' Startup, their targets twice that).
        _fleet = DmKernel.Benchmarks.Workload.Build(VmsPerHost, 100, vmsPerHost: VmsPerHost);
        using (var balancer = new Balancer(_fleet, KernelPath.Scalar))
        {
            for (int vm = 0; vm < VmsPerHost; vm += 10)
                _fleet.RequestStop(vm);
            for (int t = 0; t < 4; t++)
                balancer.Tick(); // the stopped VMs' memory is granted to the others: Available falls back
        }

        for (int vm = 0; vm < VmsPerHost; vm += 10)
            _fleet.RequestStart(vm);
        using (var saved = new MemoryStream())
        {
            _fleet.SaveState(saved);
            _state = saved.ToArray();
        }

        _scratch = new HostScratch(_fleet.Cols.HostCapacity[0]);

        // The two reclaims leave the same fleet, and the starts needed them.
        int available = _fleet.Cols.HostAvailable[0];
        int[] before = _fleet.Cols.Assigned.AsSpan(0, VmsPerHost).ToArray();
        Run(indexed: false);
        byte[] scanned = Save();
        Restore();
        Run(indexed: true);
        if (!scanned.AsSpan().SequenceEqual(Save()))
            throw new InvalidOperationException("ReclaimBench: the indexed reclaim left another fleet than the scan.");
        int started = 0, reclaimedFrom = 0;
        for (int vm = 0; vm < VmsPerHost; vm++)
        {
            started += vm % 10 == 0 && _fleet.LastResult(vm) == LifecycleResult.Started ? 1 : 0;
            reclaimedFrom += vm % 10 != 0 && _fleet.Cols.Assigned[vm] < before[vm] ? 1 : 0;
        }

        if (available >= 512 || started < Starts / 2 || reclaimedFrom == 0)
            throw new InvalidOperationException($"ReclaimBench: Available {available} MB before the pass, {started} of {Starts} started, {reclaimedFrom} donors: the pass would not measure R4's reclaim.");
        Restore();
    }

    [IterationSetup]
    public void Restore() => _fleet.LoadState(new MemoryStream(_state, writable: false));

    [Benchmark(Baseline = true)]
    public int Scan() => Run(indexed: false);

    [Benchmark]
    public int Indexed() => Run(indexed: true);

    private int Run(bool indexed)
    {
        Lifecycle.ProcessRequests(_fleet.Cols.Host(0), new TickContext(_fleet.Model, _fleet.TickIndex), _scratch, reclaim: true, indexed);
        return _fleet.Cols.HostAvailable[0];
    }

    private byte[] Save()
    {
        using var stream = new MemoryStream();
        _fleet.SaveState(stream);
        return stream.ToArray();
    }
}
