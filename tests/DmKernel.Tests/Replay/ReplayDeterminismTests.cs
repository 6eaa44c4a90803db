using System.Text.Json.Nodes;
using DmKernel.Tests.Docs;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Replay;

/// <summary>
/// A replay's results are a pure function of the trace and the options: summary.json (all but its "run" object,
/// which holds path, threads and timings) is byte-identical for every kernel path and thread count, and equals
/// the golden summary committed beside the sample trace.
/// </summary>
public class ReplayDeterminismTests
{
    public static string SampleTrace => Path.Combine(ReadmeExampleTests.RepoRoot(), "traces", "sample-200vms-1day.dmt");

    public static string SampleGolden => Path.Combine(ReadmeExampleTests.RepoRoot(), "traces", "expected", "sample-200vms-1day.summary.json");

    /// <summary>Replays a trace and returns summary.json without its "run" object.</summary>
    internal static string ResultJson(string trace, ReplayOptions options)
    {
        using NativeTraceReader reader = NativeTraceReader.Open(trace);
        using var engine = new ReplayEngine(reader, options);
        while (engine.Step())
        {
        }

        using var stream = new MemoryStream();
        ReplaySummary.Write(stream, engine, trace, peakWorkingSetBytes: 0);
        return WithoutRun(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    internal static string WithoutRun(string summaryJson)
    {
        JsonObject node = JsonNode.Parse(summaryJson)!.AsObject();
        Assert.True(node.Remove("run"), "summary.json has no run object");
        return node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    [Fact]
    public void Replay_SampleTrace_SameResultOnEveryPathAndThreadCount()
    {
        string reference = ResultJson(SampleTrace, new ReplayOptions { Path = KernelPath.Scalar });
        foreach ((KernelPath path, int threads) in new[] { (KernelPath.Vector128, 1), (KernelPath.Vector256, 2), (KernelPath.Vector512, 1), (KernelPath.Vector512, 2), (KernelPath.Scalar, 2) })
            Assert.Equal(reference, ResultJson(SampleTrace, new ReplayOptions { Path = path, Threads = threads }));
    }

    [Fact]
    public void Replay_SampleTrace_MatchesGoldenSummary()
    {
        // traces/expected holds the summary the CLI wrote for the sample (regenerate it only for an intended change
        // of the model: dotnet run --project src/DmKernel.Cli -c Release -- replay traces/sample-200vms-1day.dmt -o out).
        string golden = WithoutRun(File.ReadAllText(SampleGolden));
        Assert.Equal(golden, ResultJson(SampleTrace, new ReplayOptions()));
    }

    [Fact]
    public void Replay_GeneratedTraceWithChurn_SameResultOnEveryPath()
    {
        using var dir = new TempDir();
        string trace = dir.File("gen.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 700, Hosts = 9, Ticks = 240, Seed = 99, TickSeconds = 30, HostHeadroom = 1.0 });
        string reference = ResultJson(trace, new ReplayOptions { Path = KernelPath.Scalar });
        JsonNode fleet = JsonNode.Parse(reference)!["fleet"]!;
        Assert.True((double)fleet["pagingVmSeconds"]! > 0, "the generated trace should make some VMs page");
        Assert.True((double)fleet["shortHostSeconds"]! > 0, "the generated trace should make some hosts short");
        foreach (KernelPath path in new[] { KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512 })
            Assert.Equal(reference, ResultJson(trace, new ReplayOptions { Path = path, Threads = 2 }));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(300)]
    public void Replay_InChunksOfHosts_SameResultAsWholeFleetTicks(int chunkSlots)
    {
        // One thread applies, ticks and measures chunk by chunk of hosts; two threads tick the whole fleet at once, after
        // applying every value. The sample is applied by runs of slots (split at chunk boundaries), the generated trace
        // (VM i on host i mod 9) by gathering each chunk's slots; chunks of 1 slot are single hosts.
        using var dir = new TempDir();
        string generated = dir.File("gen.dmt");
        TraceGenerator.Generate(generated, new TraceGeneratorOptions { Vms = 700, Hosts = 9, Ticks = 120, Seed = 5, TickSeconds = 30, HostHeadroom = 1.0 });
        foreach ((string trace, long? ticks) in new[] { (SampleTrace, (long?)400), (generated, null) })
        {
            // (With read-ahead, the generated trace's ticks come gathered in slot order from the reading thread.)
            string whole = ResultJson(trace, new ReplayOptions { Path = KernelPath.Vector512, Threads = 2, MaxTicks = ticks, HashEvery = 40, ReadAhead = false });
            foreach (bool readAhead in new[] { false, true })
            {
                Assert.Equal(whole, ResultJson(trace, new ReplayOptions { Path = KernelPath.Vector512, ChunkSlots = chunkSlots, MaxTicks = ticks, HashEvery = 40, ReadAhead = readAhead }));
                Assert.Equal(whole, ResultJson(trace, new ReplayOptions { Path = KernelPath.Scalar, ChunkSlots = chunkSlots, MaxTicks = ticks, HashEvery = 40, ReadAhead = readAhead }));
            }
        }
    }

    [Fact]
    public void Replay_TraceWithoutVms_RunsItsTicksWithAndWithoutChunks()
    {
        using var dir = new TempDir();
        string trace = dir.File("empty.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 0, Hosts = 0, Ticks = 5, Seed = 1 });
        string whole = ResultJson(trace, new ReplayOptions { Threads = 2 });
        foreach (bool readAhead in new[] { false, true })
            Assert.Equal(whole, ResultJson(trace, new ReplayOptions { ReadAhead = readAhead }));
        Assert.Equal(5, (long)JsonNode.Parse(whole)!["ticks"]!); // every tick ran
    }

    [Fact]
    public void Replay_HashEvery_SameHashSequenceOnEveryPathAndThreadCount()
    {
        string Hashes(KernelPath path, int threads)
        {
            string json = ResultJson(SampleTrace, new ReplayOptions { Path = path, Threads = threads, HashEvery = 100, MaxTicks = 700 });
            JsonArray list = JsonNode.Parse(json)!["stateHashes"]!.AsArray();
            Assert.Equal(7, list.Count);
            Assert.Equal(99, (long)list[0]!["tick"]!);
            return list.ToJsonString();
        }

        string reference = Hashes(KernelPath.Scalar, 1);
        Assert.Equal(reference, Hashes(KernelPath.Vector512, 2));
        Assert.Equal(reference, Hashes(KernelPath.Vector128, 1));
        Assert.Equal(7, JsonNode.Parse(reference)!.AsArray().Select(n => (string)n!["hash"]!).Distinct().Count()); // the state moves
    }

    [Fact]
    public void Replay_MaxTicks_StopsEarlyAndCountsOnlyThoseTicks()
    {
        using NativeTraceReader reader = NativeTraceReader.Open(SampleTrace);
        using var engine = new ReplayEngine(reader, new ReplayOptions { MaxTicks = 30 });
        int steps = 0;
        while (engine.Step())
            steps++;
        Assert.Equal(30, steps);
        Assert.Equal(30, engine.Metrics.Ticks);
        Assert.Equal(30, engine.Fleet.TickIndex);
    }

    [Fact]
    public void ReplaySummary_PagingShare_IsOverOnTime_NotWantedTime()
    {
        // A fleet too small for its trace: some starts are denied, so the VM-time on is below the VM-time wanted, and
        // pagingShareOfOnTime must divide by the former.
        using var dir = new TempDir();
        string trace = dir.File("tight.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 300, Hosts = 3, Ticks = 120, Seed = 7, TickSeconds = 30, HostMb = 32_768 });
        JsonNode fleet = JsonNode.Parse(ResultJson(trace, new ReplayOptions()))!["fleet"]!;
        double on = (double)fleet["onVmSeconds"]!, wanted = (double)fleet["wantedVmSeconds"]!, paging = (double)fleet["pagingVmSeconds"]!;
        Assert.True(on < wanted, $"on {on} s, wanted {wanted} s: the trace should deny some starts");
        Assert.True(paging > 0, "the trace should make some VMs page");
        Assert.Equal(Math.Round(paging / on, 6), (double)fleet["pagingShareOfOnTime"]!);
    }

    /// <summary>
    /// docs/outputs.md: pagingShareOfOnTime is null only when no VM was on (nothing measured); VMs on that never page give
    /// 0, not null ("never paging" is a measurement).
    /// </summary>
    [Fact]
    public void ReplaySummary_PagingShare_IsZeroWhenVmsWereOnAndNonePaged()
    {
        using var dir = new TempDir();
        string trace = dir.File("calm.dmt");
        TraceVm[] vms = [new("a", new VmSettings(512, 256, 1024), 0)];
        using (var w = new NativeTraceWriter(trace, new TraceDescription(60, "test: no paging", new TraceMetadata()), vms, [new TraceHost(8192)]))
        {
            for (int t = 0; t < 10; t++)
                w.WriteTick([300]);
            w.Complete();
        }

        JsonNode fleet = JsonNode.Parse(ResultJson(trace, new ReplayOptions()))!["fleet"]!;
        Assert.True((double)fleet["onVmSeconds"]! > 0);
        Assert.Equal(0, (double)fleet["pagingVmSeconds"]!);
        Assert.NotNull(fleet["pagingShareOfOnTime"]);
        Assert.Equal(0, (double)fleet["pagingShareOfOnTime"]!);
    }

    /// <summary>With --hash-every taking one hash (10 ticks, every 10), summary.json lists that one hash.</summary>
    [Fact]
    public void ReplaySummary_OneStateHash_IsListed()
    {
        JsonArray list = JsonNode.Parse(ResultJson(SampleTrace, new ReplayOptions { HashEvery = 10, MaxTicks = 10 }))!["stateHashes"]!.AsArray();
        Assert.Equal(9, (long)Assert.Single(list)!["tick"]!);
        Assert.Equal((string)JsonNode.Parse(ResultJson(SampleTrace, new ReplayOptions { MaxTicks = 10 }))!["stateHash"]!, (string)list[0]!["hash"]!);
    }

    [Fact]
    public void HostAvailablePercentOf_FractionalPercent_IsRoundedDown()
    {
        // Host 3000 MB, no reserve; a static VM of 1000 MB started: Available 2000 MB = 66.67 % of the RAM, reported as 66.
        var s = new DmKernel.Tests.Support.Scenario(hostTotalMb: 3000, model: DmKernel.Tests.Rules.RuleScenario.Fast);
        int vm = s.Add(VmSettings.Static(1000));
        s.Fleet.RequestStart(vm);
        s.Tick();
        Assert.Equal(2000, s.Fleet.HostAvailable(0));
        Assert.Equal(66, ReplayMetrics.HostAvailablePercentOf(s.Fleet, 0));
    }
}
