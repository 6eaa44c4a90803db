using BenchmarkDotNet.Attributes;
using DmKernel.Benchmarks.Floor;

namespace DmKernel.Benchmarks;

/// <summary>
/// One tick of the whole fleet on one thread: the scalar reference (baseline), the dispatched widest vector
/// path, and the streaming floor that moves the same bytes as the vector path on an enough-memory host.
/// With ShortSharePercent = 25 a quarter of the hosts run R11's water-filling every tick.
/// </summary>
[Config(typeof(TickBenchConfig))]
[MemoryDiagnoser]
public class TickBench
{
    private Fleet _fleet = null!;
    private Balancer _scalar = null!;
    private Balancer _simd = null!;
    private StreamingFloor _floor = null!;
    private KernelPath _floorWidth;

    /// <summary>VMs in the fleet (hosts of 63 or 64 VMs).</summary>
    [ParamsSource(nameof(VmsValues))]
    public int Vms { get; set; }

    /// <summary>Percent of hosts short of memory (R11's short plan every tick).</summary>
    [Params(0, 25)]
    public int ShortSharePercent { get; set; }

    public static IEnumerable<int> VmsValues => BenchSizes.Select(10_000, 50_000, 1_000_000);

    [GlobalSetup]
    public void Setup()
    {
        _fleet = Workload.Build(Vms, ShortSharePercent);
        _scalar = new Balancer(_fleet, KernelPath.Scalar);
        _simd = new Balancer(_fleet, KernelPath.Auto);
        _floor = new StreamingFloor(_fleet);
        _floorWidth = _simd.Path == KernelPath.Scalar ? KernelPath.Vector128 : _simd.Path;

        // The paths are bit-identical, so sharing the fleet is fine; check once more that the short share holds on both.
        _scalar.Tick();
        Workload.CheckShortHosts(_fleet, ShortSharePercent);
        _simd.Tick();
        Workload.CheckShortHosts(_fleet, ShortSharePercent);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scalar.Dispose();
        _simd.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void Scalar() => _scalar.Tick();

    [Benchmark]
    public void Simd() => _simd.Tick();

    /// <summary>The same width as <see cref="Simd"/> (Vector512 when accelerated, else 256, else 128).</summary>
    [Benchmark]
    public void Floor()
    {
        switch (_floorWidth)
        {
            case KernelPath.Vector512:
                _floor.Run<FloorVec512>();
                break;
            case KernelPath.Vector256:
                _floor.Run<FloorVec256>();
                break;
            default:
                _floor.Run<FloorVec128>();
                break;
        }
    }
}
