using BenchmarkDotNet.Attributes;
using DmKernel.Benchmarks.Floor;

namespace DmKernel.Benchmarks;

/// <summary>What a <see cref="TickBench"/> case runs: a kernel path, or one of the two floors.</summary>
public enum TickPath
{
    /// <summary>The scalar reference.</summary>
    Scalar,

    /// <summary>The vector kernel on Vector128.</summary>
    V128,

    /// <summary>The vector kernel on Vector256.</summary>
    V256,

    /// <summary>The vector kernel on Vector512.</summary>
    V512,

    /// <summary>The minimal-bytes floor: 36 B per VM-tick (<see cref="MinimalFloor"/>).</summary>
    MinFloor,

    /// <summary>The same-columns floor: every column the schema declares the layout's tick touches, streamed (<see cref="StreamingFloor"/>).</summary>
    ColFloor,
}

/// <summary>What the fleet's workload does between ticks.</summary>
public enum TickWorkload
{
    /// <summary>Committed demand set once in setup and never changed: the enough-memory hosts sit at equilibrium.</summary>
    Steady,

    /// <summary>
    /// Every VM's committed demand changes every tick: a few pre-drawn columns rotated (<see cref="CommittedFeed"/>),
    /// passed to <see cref="Fleet.SetCommitted(ReadOnlySpan{int})"/> before each tick, as a replay or simulator feeds them.
    /// </summary>
    Realistic,
}

/// <summary>
/// One tick of the whole fleet on one thread, for every kernel path (Scalar, V128, V256, V512) and the two floors:
/// the minimal-bytes floor (<see cref="MinimalFloor"/>, 36 B per VM-tick) and the same-columns floor
/// (<see cref="StreamingFloor"/>, every column the layout's tick reads and writes). Both workloads (steady, realistic),
/// with 0 % and 25 % short hosts (R11's water-filling every tick on every fourth host). A Realistic kernel operation
/// is <c>SetCommitted</c> of the next pre-drawn column and one tick; a Realistic floor reads that column directly.
/// The floors run at the widest accelerated width. Columns: ns/VM, the ratio to each floor from the same run,
/// and the bytes per VM-tick the case moves (the layout's tick, plus SetCommitted's copy on the realistic kernel).
/// </summary>
[Config(typeof(TickBenchConfig))]
[MemoryDiagnoser]
public class TickBench
{
    private Fleet _fleet = null!;
    private Balancer? _balancer;
    private CommittedFeed? _feed;
    private StreamingFloor? _colFloor;
    private MinimalFloor? _minFloor;
    private KernelPath _floorWidth;

    /// <summary>VMs in the fleet (hosts of 63 or 64 VMs).</summary>
    [ParamsSource(nameof(VmsValues))]
    public int Vms { get; set; }

    /// <summary>Percent of hosts short of memory (R11's short plan every tick).</summary>
    [Params(0, 25)]
    public int ShortSharePercent { get; set; }

    [ParamsAllValues]
    public TickWorkload Workload { get; set; }

    [ParamsSource(nameof(PathValues))]
    public TickPath Path { get; set; }

    /// <summary>10 000, 50 000 and 1 000 000 VMs; CI mode runs 10 000 (every path, workload and short share: 24 cases).</summary>
    public static IEnumerable<int> VmsValues => BenchSizes.SelectWithCi([10_000], 10_000, 50_000, 1_000_000);

    /// <summary>Every path, or the ones <c>DMKERNEL_BENCH_PATHS</c> lists (comma-separated, e.g. <c>V512,MinFloor,ColFloor</c>).</summary>
    public static IEnumerable<TickPath> PathValues => SelectPaths(BenchSizes.CiMode, Environment.GetEnvironmentVariable(PathsVariable));

    /// <summary>The environment variable that narrows TickBench's paths.</summary>
    public const string PathsVariable = "DMKERNEL_BENCH_PATHS";

    /// <summary>
    /// The paths to run from CI mode and <see cref="PathsVariable"/>'s value (<paramref name="environment"/>, null when
    /// unset): every path in CI mode or without the variable, else the ones it lists (a name that is no path is refused,
    /// naming it).
    /// </summary>
    internal static TickPath[] SelectPaths(bool ciMode, string? environment)
    {
        if (string.IsNullOrWhiteSpace(environment) || ciMode)
            return [TickPath.Scalar, TickPath.V128, TickPath.V256, TickPath.V512, TickPath.MinFloor, TickPath.ColFloor];
        string[] names = environment.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var paths = new TickPath[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            if (!Enum.TryParse(names[i], ignoreCase: false, out paths[i]) || !Enum.IsDefined(paths[i]) || int.TryParse(names[i], out _))
                throw new FormatException($"{PathsVariable} = '{environment}': '{names[i]}' is not a path (one of {string.Join(", ", Enum.GetNames<TickPath>())}).");
        }

        return paths;
    }

    /// <summary>Ticks run in setup on the realistic workload before measuring (the feed's rotation several times over).</summary>
    public const int RealisticWarmTicks = 12;

    [GlobalSetup]
    public void Setup()
    {
        _fleet = DmKernel.Benchmarks.Workload.Build(Vms, ShortSharePercent);
        if (Workload == TickWorkload.Realistic)
            _feed = new CommittedFeed(_fleet);

        KernelPath widest = KernelPaths.Widest;
        _floorWidth = widest == KernelPath.Scalar ? KernelPath.Vector128 : widest;
        KernelPath? kernel = Path switch
        {
            TickPath.Scalar => KernelPath.Scalar,
            TickPath.V128 => KernelPath.Vector128,
            TickPath.V256 => KernelPath.Vector256,
            TickPath.V512 => KernelPath.Vector512,
            _ => null,
        };

        // The floors copy the fleet as the kernel would find it: after the realistic warm-up ticks.
        using (var warm = new Balancer(_fleet, kernel ?? KernelPath.Scalar))
        {
            int ticks = Workload == TickWorkload.Realistic ? RealisticWarmTicks : 1;
            for (int t = 0; t < ticks; t++)
            {
                if (_feed is not null)
                    _fleet.SetCommitted(_feed.Next());
                warm.Tick();
                DmKernel.Benchmarks.Workload.CheckShortHosts(_fleet, ShortSharePercent);
            }
        }

        if (kernel is { } path)
            _balancer = new Balancer(_fleet, path);
        else if (Path == TickPath.MinFloor)
            _minFloor = new MinimalFloor(_fleet);
        else
            _colFloor = new StreamingFloor(_fleet);
    }

    [GlobalCleanup]
    public void Cleanup() => _balancer?.Dispose();

    /// <summary>The fleet (for <see cref="Probe"/>'s statistics).</summary>
    internal Fleet FleetForProbe => _fleet;

    /// <summary>The minimal floor of a MinFloor case (null otherwise), for the tests.</summary>
    internal MinimalFloor? MinFloorForTests => _minFloor;

    /// <summary>The width the minimal floor runs at, for the tests.</summary>
    internal KernelPath FloorWidthForTests => _floorWidth;

    [Benchmark]
    public void Tick()
    {
        if (_balancer is not null)
        {
            if (_feed is not null)
                _fleet.SetCommitted(_feed.Next());
            _balancer.Tick();
        }
        else
        {
            RunFloor(_feed?.Next());
        }
    }

    private void RunFloor(int[]? committed)
    {
        // The same-columns floor picks its own width; the minimal floor runs at the widest accelerated one.
        if (_colFloor is not null)
        {
            _colFloor.Run(committed);
            return;
        }

        switch (_floorWidth)
        {
            case KernelPath.Vector512:
                _minFloor!.Run<FloorVec512>(committed);
                break;
            case KernelPath.Vector256:
                _minFloor!.Run<FloorVec256>(committed);
                break;
            default:
                _minFloor!.Run<FloorVec128>(committed);
                break;
        }
    }

    /// <summary>
    /// Bytes per VM a realistic kernel operation moves before its tick: <c>SetCommitted</c>'s range check reads the input
    /// column (4 B) and its copy reads it again and writes Committed (8 B). The floors read the input column in place of
    /// Committed, so they have no such step.
    /// </summary>
    public const int SetCommittedBytesPerVm = 3 * sizeof(int);

    /// <summary>
    /// Bytes per VM-tick the case moves: 36 for the minimal floor, the layout's declared columns for the same-columns floor
    /// and the steady kernel, those plus <see cref="SetCommittedBytesPerVm"/> for the realistic kernel.
    /// </summary>
    public static int BytesPerVmTick(TickPath path, TickWorkload workload) => path switch
    {
        TickPath.MinFloor => MinimalFloor.BytesPerVmTick,
        TickPath.ColFloor => StreamingFloor.BytesPerVmTick,
        _ => StreamingFloor.BytesPerVmTick + (workload == TickWorkload.Realistic ? SetCommittedBytesPerVm : 0),
    };
}
