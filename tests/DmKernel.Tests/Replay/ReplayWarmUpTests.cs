using DmKernel.Cli.Commands;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Replay;

/// <summary>
/// The warm-up a large replay runs on a spare core while it opens its trace (<see cref="ReplayWarmUp"/>): it replays its
/// whole in-memory trace on every path, thread count and policy; it changes nothing a replay beside it gives; a warm-up
/// that fails (options the replay would refuse too) does not stop the CLI's replay; and the in-memory trace is the one a
/// file would hold.
/// </summary>
public class ReplayWarmUpTests
{
    public static TheoryData<KernelPath, int, string> PathsThreadsPolicies()
    {
        var data = new TheoryData<KernelPath, int, string>();
        foreach (string policy in new[] { "hyperv", "static", "squeezed", "mom", "esx" })
            data.Add(KernelPath.Vector512, 1, policy);
        data.Add(KernelPath.Scalar, 1, "hyperv");
        data.Add(KernelPath.Vector128, 2, "hyperv");
        data.Add(KernelPath.Vector256, 2, "esx");
        return data;
    }

    [Theory]
    [MemberData(nameof(PathsThreadsPolicies))]
    public void Run_ReplaysTheWholeWarmUpTrace(KernelPath path, int threads, string policy)
    {
        var options = new ReplayOptions { Path = path, Threads = threads, Policy = BalancerPolicy.Parse(policy), MaxTicks = 3, HashEvery = 1 };
        Assert.Equal(ReplayWarmUp.Traces.Sum(t => (long)t.Ticks), ReplayWarmUp.Run(options)); // MaxTicks and hashes are the replay's, not the warm-up's
        Assert.Equal(ReplayWarmUp.Traces.Sum(t => (long)t.Ticks), ReplayWarmUp.Run(options with { ReadAhead = false }));
    }

    /// <summary>
    /// The warm-up compiles the trace's ticks, not a replay's boot phase: with the replay's <see cref="ReplayOptions.BootTicks"/>
    /// (before the review of stop 56 passed on as they were) each warm-up fleet first ran the whole boot, a million ticks at
    /// most, so a large replay with a long boot waited for two such boots before its first tick.
    /// </summary>
    [Fact]
    public void Run_WithTheReplaysBootTicks_RunsNoBoot()
    {
        var options = new ReplayOptions { BootTicks = 1000 };
        Assert.Equal(ReplayWarmUp.Traces.Sum(t => (long)t.Ticks), ReplayWarmUp.Run(options)); // the fleets' own tick counts: no boot tick among them
    }

    [Fact]
    public void WarmUpTraces_TakeTheKernelsPaths_EnoughShortTurningAndLifecycle()
    {
        // What the warm-up is for: the paths a large replay meets in its first ticks are compiled before it starts. The
        // first trace has hosts that turn from short to enough memory (a short tick followed by fewer short hosts) and
        // ticks with every host at enough; the second has short hosts on most ticks; both have VMs starting and stopping.
        IReadOnlyList<FleetPoint>[] series = new IReadOnlyList<FleetPoint>[ReplayWarmUp.Traces.Count];
        for (int i = 0; i < series.Length; i++)
        {
            using var trace = new MemoryStream();
            TraceGenerator.Generate(trace, "warm-up", ReplayWarmUp.Traces[i]);
            trace.Position = 0;
            using NativeTraceReader reader = NativeTraceReader.Open(trace, "warm-up");
            using var engine = new ReplayEngine(reader, new ReplayOptions());
            while (engine.Step())
            {
            }

            series[i] = [.. engine.Metrics.Series];
            Assert.True(series[i].Select(p => p.OnVms).Distinct().Count() > 1, $"trace {i}: VMs start or stop");
        }

        Assert.Contains(series[0], p => p.ShortHosts == 0);
        Assert.True(series[0].Zip(series[0].Skip(1)).Any(p => p.First.ShortHosts > p.Second.ShortHosts), "trace 0: a host turns from short to enough");
        Assert.True(series[1].Count(p => p.ShortHosts > 0) > series[1].Count / 2, "trace 1: short hosts on most ticks");
    }

    [Fact]
    public async Task Start_RunsBesideAReplay_WithoutChangingItsResult()
    {
        string trace = ReplayDeterminismTests.SampleTrace;
        var options = new ReplayOptions { Path = KernelPath.Vector512, HashEvery = 60, MaxTicks = 600 };
        string alone = ReplayDeterminismTests.ResultJson(trace, options);
        Task warmUp = ReplayWarmUp.Start(options);
        string beside = ReplayDeterminismTests.ResultJson(trace, options);
        await warmUp.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(alone, beside);
    }

    [Fact]
    public void Start_OptionsOutOfRange_AreRefusedAtOnce_NamingTheOption()
    {
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => { _ = ReplayWarmUp.Start(new ReplayOptions { Threads = 0 }); }); // thrown by Start, not by its task
        Assert.Contains("threads: expected 1..1024", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => { _ = ReplayWarmUp.Start(null!); });
    }

    [Fact]
    public async Task AWarmUpTheModelRefuses_FaultsItsTask_AndTheCliGoesOnWithoutIt()
    {
        // A model whose MaxCeiling (64 MB) refuses the warm-up trace's VMs: the warm-up fails as the replay of that trace
        // would, its task says so, and the CLI's wait for it neither throws nor hangs.
        var options = new ReplayOptions { Model = ModelParameters.Default with { MaxCeilingMb = 64 } };
        var e = Assert.Throws<TraceFormatException>(() => ReplayWarmUp.Run(options));
        Assert.Contains("refused by R1", e.Message, StringComparison.Ordinal);
        foreach (int cores in new[] { 2, 1 })
        {
            Task warmUp = ReplayWarmUp.Start(options with { ProcessorCount = cores });
            await Task.Run(() => ReplayCommand.FinishWarmUp(warmUp)).WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(warmUp.IsCompleted);
            Assert.Equal(cores > 1, warmUp.IsFaulted); // one core: no warm-up at all
        }
    }

    [Fact]
    public void Cli_WarmsUpOnlyForALargeTrace()
    {
        using var dir = new TempDir();
        Assert.True(ReplayCommand.StartWarmUp(ReplayDeterminismTests.SampleTrace, new ReplayOptions()).IsCompleted, "a small trace opens faster than a warm-up runs");
        Assert.True(ReplayCommand.StartWarmUp(dir.File("missing.dmt"), new ReplayOptions()).IsCompleted, "a missing trace gets its own error, not a warm-up");
        Assert.True(ReplayCommand.StartWarmUp(ReplayDeterminismTests.SampleTrace, new ReplayOptions { Threads = 0 }).IsCompleted, "options the replay refuses get its own error");
        string large = dir.File("large.bin");
        using (var f = File.Create(large))
            f.SetLength(ReplayCommand.WarmUpBytes);
        foreach (int cores in new[] { 2, 1 })
        {
            Task warmUp = ReplayCommand.StartWarmUp(large, new ReplayOptions { ProcessorCount = cores });
            ReplayCommand.FinishWarmUp(warmUp);
            Assert.True(warmUp.IsCompletedSuccessfully);
            Assert.Equal(cores > 1, warmUp.CreationOptions.HasFlag(TaskCreationOptions.LongRunning)); // one core: none
        }
    }

    [Fact]
    public void GenerateToAStream_WritesTheBytesAFileWouldHold_AndReadsBackAlike()
    {
        using var dir = new TempDir();
        string file = dir.File("warm.dmt");
        TraceGenerator.Generate(file, ReplayWarmUp.Traces[0]);
        using var memory = new MemoryStream();
        TraceGenerator.Generate(memory, "in memory", ReplayWarmUp.Traces[0]);
        Assert.Equal(File.ReadAllBytes(file), memory.ToArray());
        Assert.True(memory.CanRead, "the stream is left open for the reader");

        memory.Position = 0;
        using NativeTraceReader fromMemory = NativeTraceReader.Open(memory, "in memory");
        using NativeTraceReader fromFile = NativeTraceReader.Open(file);
        Assert.Equal((fromFile.Header.VmCount, fromFile.Header.TickCount, fromFile.Header.HostCount), (fromMemory.Header.VmCount, fromMemory.Header.TickCount, fromMemory.Header.HostCount));
        Assert.Equal(fromFile.Vms, fromMemory.Vms);
        int[] a = new int[fromFile.Header.VmCount], b = new int[a.Length];
        for (long t = 0; t < fromFile.Header.TickCount; t++)
        {
            Assert.True(fromFile.ReadTick(a));
            Assert.True(fromMemory.ReadTick(b));
            Assert.Equal(a, b);
        }

        Assert.False(fromMemory.ReadTick(b));
    }
}
