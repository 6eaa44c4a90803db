using BenchmarkDotNet.Attributes;

namespace DmKernel.Benchmarks;

/// <summary>
/// A simulator's churn on a full host: <c>Churn</c> removes one VM (Off) and adds a VM back, which R3's "first free slot"
/// puts in the slot just freed; the victims walk the host in a fixed pseudo-random order. <c>Configure</c>, the baseline,
/// is one other validated call that holds the fleet (R1 on a VM's settings, the same work per call at every host size),
/// so the ratio says how far adding a VM is from a call that costs the same on a host of any size. Hosts of
/// <see cref="VmsPerHost"/> VMs (Hyper-V allows 1 024 per host; the trace formats 65 536).
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class AddVmBench
{
    private const int Stride = 7919; // a prime: victim k is slot k × 7919 mod n, every slot once per n calls
    private static readonly VmSettings Settings = VmSettings.Dynamic(1024, 512, 4096);

    private Fleet _fleet = null!;
    private int _next;

    /// <summary>VMs on the one host, all slots in use.</summary>
    [Params(64, 1024, 65_536)]
    public int VmsPerHost { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _fleet = new Fleet(ModelParameters.Default, [new HostSpec(TotalMb: 2048 + VmsPerHost * 1024, VmCapacity: VmsPerHost)]);
        for (int i = 0; i < VmsPerHost; i++)
            _fleet.AddVm(0, Settings);
        _next = 0;
    }

    [Benchmark(Baseline = true)]
    public int Configure()
    {
        int vm = Victim();
        _fleet.Configure(vm, Settings);
        return vm;
    }

    [Benchmark]
    public int Churn()
    {
        int vm = Victim();
        _fleet.RemoveVm(vm);
        int slot = _fleet.AddVm(0, Settings);
        if (slot != vm)
            throw new InvalidOperationException($"AddVmBench: the VM added after removing slot {vm} went to slot {slot}, not the first free one.");
        return slot;
    }

    private int Victim()
    {
        int vm = (int)((long)_next * Stride % VmsPerHost);
        _next = _next + 1 == VmsPerHost ? 0 : _next + 1;
        return vm;
    }
}
