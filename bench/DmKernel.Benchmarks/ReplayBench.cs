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
/// <para>
/// With <see cref="ReadAhead"/>, that steady state is a full read-ahead, since decoding keeps ahead of the tick (at
/// 1 000 000 VMs 2.3–4 ns of the 19.5 ns per VM-tick, README "Results"): <see cref="ReadAheadDepth"/> ticks decoded
/// and waiting, and the reading thread decoding the tick <see cref="ReadAheadDepth"/> ahead while the replay thread
/// replays one. So the iteration setup waits until the read-ahead has filled its buffers and stopped
/// (<see cref="ReplayEngine.WaitForReadAhead"/>): none of the setup's decoding runs on into the measured iteration. And
/// the trace has <see cref="ReadAheadDepth"/> ticks after the replayed ones, so the reading thread decodes until the
/// operation ends: one tick during each measured tick but the first (whose decode the setup waited for), 23 of
/// <see cref="Ticks"/> decodes inside the measured time, and the last one's after it. That is a long replay's middle
/// but for the first tick of 24.
/// </para>
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class ReplayBench
{
    /// <summary>Ticks in the generated trace (one benchmark operation replays them all).</summary>
    public const int Ticks = 24;

    /// <summary>Ticks replayed in the iteration setup before the measured ones: the mass start and the boot grace.</summary>
    public const int WarmTicks = 4;

    /// <summary>Ticks the read-ahead decodes ahead of the replay: the trace has as many after the measured ones.</summary>
    public const int ReadAheadDepth = TickReadAhead.Depth;

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
        TraceGenerator.Generate(_trace, new TraceGeneratorOptions { Vms = Vms, Hosts = Vms / 100, Ticks = WarmTicks + Ticks + ReadAheadDepth, Seed = 11, TickSeconds = 60 });
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
        _engine.WaitForReadAhead(); // the measured ticks start from a full read-ahead, its thread idle
    }

    /// <summary>The engine the iteration setup opened (for the tests).</summary>
    internal ReplayEngine? EngineForTests => _engine;

    /// <summary>The generated trace (for the tests).</summary>
    internal string TraceForTests => _trace;

    [IterationCleanup]
    public void Close()
    {
        _engine?.Dispose();
        _reader?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Ticks)]
    public long Replay()
    {
        ReplayEngine engine = _engine!;
        for (int t = 0; t < Ticks; t++)
            engine.Step();
        return engine.Metrics.PagingVmTicks;
    }
}
