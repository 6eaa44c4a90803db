using BenchmarkDotNet.Attributes;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Benchmarks;

/// <summary>
/// Replay of a generated trace with one kernel thread and the dispatched SIMD path, tick by tick as <c>dmkernel replay</c>
/// runs it: read and decode the tick from the native file (streaming, checksummed), apply it
/// (<see cref="DmKernel.Traces.Replay.TraceFeed"/>), tick, and measure the fleet metrics, chunk of hosts by chunk of
/// hosts. <see cref="ReadAhead"/> false does everything on one core; true (the replay's default) reads and decodes the
/// next ticks on a second thread. Opening the file, building the fleet and
/// the first <see cref="WarmTicks"/> ticks (every VM starts in the first one: about 0.2 s of R4 admissions for
/// 1,000,000 VMs, paid once per replay) happen in the iteration setup, so the figure is the steady state of a long
/// replay. One operation replays <see cref="Ticks"/> ticks, reported per tick, so ns/VM is nanoseconds per VM-tick
/// and 1e9 / (ns/VM) is VM-ticks per second.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class ReplayBench
{
    /// <summary>Ticks in the generated trace (one benchmark operation replays them all).</summary>
    public const int Ticks = 24;

    /// <summary>Ticks replayed in the iteration setup before the measured ones: the mass start and the boot grace.</summary>
    public const int WarmTicks = 4;

    private string _trace = null!;
    private NativeTraceReader? _reader;
    private ReplayEngine? _engine;

    /// <summary>VMs in the generated trace (100 VMs per host).</summary>
    [ParamsSource(nameof(VmsValues))]
    public int Vms { get; set; }

    public static IEnumerable<int> VmsValues => BenchSizes.Select(100_000, 1_000_000);

    /// <summary>Read and decode the next ticks on a thread of their own (<see cref="ReplayOptions.ReadAhead"/>).</summary>
    [Params(false, true)]
    public bool ReadAhead { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _trace = Path.Combine(Path.GetTempPath(), $"dmkernel-replaybench-{Vms}-{Environment.ProcessId}.dmt");
        TraceGenerator.Generate(_trace, new TraceGeneratorOptions { Vms = Vms, Hosts = Vms / 100, Ticks = WarmTicks + Ticks, Seed = 11, TickSeconds = 60 });
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_trace);

    [IterationSetup]
    public void Open()
    {
        _reader = NativeTraceReader.Open(_trace);
        _engine = new ReplayEngine(_reader, new ReplayOptions { ReadAhead = ReadAhead });
        for (int t = 0; t < WarmTicks; t++)
            _engine.Step();
    }

    [IterationCleanup]
    public void Close()
    {
        _engine?.Dispose();
        _reader?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Ticks)]
    public long Replay()
    {
        while (_engine!.Step())
        {
        }

        return _engine.Metrics.PagingVmTicks;
    }
}
