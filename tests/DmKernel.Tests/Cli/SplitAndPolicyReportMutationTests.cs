using System.Text.Json.Nodes;
using DmKernel.Cli.Commands;
using DmKernel.Cli.Report;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;
using DmKernel.Traces.Replay;

namespace DmKernel.Tests.Cli;

/// <summary>
/// Tests written for the survivors of a mutation round on <c>split</c> (docs/cluster.md) and compare's policy-lab
/// section (docs/compare.md, docs/policies.md): every expected value follows by hand from a tiny input.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class SplitAndPolicyReportMutationTests
{
    private const int Ticks = 3;

    /// <summary>
    /// Nine VMs on five hosts, their hosts interleaved in trace order: host 0 holds VMs 0, 3, 6; host 1 VM 2; host 2
    /// VMs 4, 7; host 3 VMs 1, 8; host 4 VM 5. Each host has its own size; VM v's demand at tick t is 100·v + t + 1000.
    /// </summary>
    private static readonly int[] HostOfVm = [0, 3, 1, 0, 2, 4, 0, 2, 3];

    private static TraceHost HostAt(int h) => new(8192 + (2048 * h), h % 2 == 0 ? null : 512 * h);

    private static int Demand(int vm, int tick) => 1000 + (100 * vm) + tick;

    private static string WriteNineVmTrace(TempDir tmp)
    {
        string path = tmp.File("nine.dmt");
        TraceVm[] vms = [.. HostOfVm.Select((h, v) => new TraceVm($"vm{v}", VmSettings.Dynamic(2048, 512, 4096), h))];
        TraceHost[] hosts = [.. Enumerable.Range(0, 5).Select(HostAt)];
        using var w = new NativeTraceWriter(path, new TraceDescription(60, "nine VMs", new TraceMetadata()), vms, hosts);
        for (int t = 0; t < Ticks; t++)
            w.WriteTick([.. Enumerable.Range(0, vms.Length).Select(v => Demand(v, t))]);
        w.Complete();
        return path;
    }

    /// <summary>
    /// Two shards of the nine VMs (docs/cluster.md: cut where the VMs before the cut reach i/N of all VMs): hosts 0–2
    /// hold 3 + 1 + 2 = 6 VMs, the first count that reaches 9/2, so shard 0 is hosts 0..2 and shard 1 hosts 3..4. Each
    /// shard trace holds its VMs in trace order with hosts renumbered from 0, its own hosts, its VMs' values, and records
    /// its first host, first slot (a host's slots are its VMs rounded up to 16: 3 × 16 = 48 before host 3), the whole
    /// trace's VM and host counts and its VMs' trace indices as ranges. The console names each shard's hosts and VMs.
    /// </summary>
    [Fact]
    public void Split_InterleavedHosts_ShardTablesValuesAndMetadata_AreAsDocumented()
    {
        using var tmp = new TempDir();
        string trace = WriteNineVmTrace(tmp), split = tmp.File("split");
        (int exit, string stdout, string stderr) = CliTests.Run("split", trace, "--shards", "2", "-o", split);
        Assert.True(exit == 0, stderr);
        Assert.Contains("Split 9 VMs on 5 hosts, 3 ticks, into 2 shards", stdout, StringComparison.Ordinal);
        Assert.Contains("  shard-0000-of-0002.dmt: hosts 0..2, 6 VMs, ", stdout, StringComparison.Ordinal);
        Assert.Contains("  shard-0001-of-0002.dmt: hosts 3..4, 3 VMs, ", stdout, StringComparison.Ordinal);

        int[][] vmsOfShard = [[0, 2, 3, 4, 6, 7], [1, 5, 8]];
        int[] firstHost = [0, 3];
        string[] ranges = ["0-0,2-4,6-7", "1-1,5-5,8-8"];
        long[] firstSlot = [0, 48];
        for (int s = 0; s < 2; s++)
        {
            TraceData shard = TraceData.Load(Path.Combine(split, $"shard-{s:D4}-of-0002.dmt"));
            Assert.Equal(vmsOfShard[s].Select(v => $"vm{v}"), shard.Vms.Select(vm => vm.Id));
            Assert.Equal(vmsOfShard[s].Select(v => HostOfVm[v] - firstHost[s]), shard.Vms.Select(vm => vm.Host));
            int hostCount = s == 0 ? 3 : 2;
            Assert.Equal(Enumerable.Range(firstHost[s], hostCount).Select(HostAt), shard.Hosts);
            Assert.Equal(Ticks, shard.Ticks.Length);
            for (int t = 0; t < Ticks; t++)
                Assert.Equal(vmsOfShard[s].Select(v => Demand(v, t)), shard.Ticks[t]);

            TraceMetadata m = shard.Header.Metadata;
            Assert.Equal(s.ToString(System.Globalization.CultureInfo.InvariantCulture), m[Shards.IndexKey]);
            Assert.Equal("2", m[Shards.CountKey]);
            Assert.Equal(firstHost[s].ToString(System.Globalization.CultureInfo.InvariantCulture), m[Shards.FirstHostKey]);
            Assert.Equal(firstSlot[s].ToString(System.Globalization.CultureInfo.InvariantCulture), m[Shards.FirstSlotKey]);
            Assert.Equal("9", m[Shards.TraceVmsKey]);
            Assert.Equal("5", m[Shards.TraceHostsKey]);
            Assert.Equal(ranges[s], m[Shards.VmIndexKey]);
        }
    }

    /// <summary>
    /// <c>--shards</c> takes 1 up to the trace's host count (docs/bad-input.md): as many shards as hosts gives one host
    /// each (shard i starts at host i, and holds that host's VMs' values), one more is refused with exit 2 naming the range.
    /// </summary>
    [Fact]
    public void Split_AsManyShardsAsHosts_GivesOneHostEach_OneMoreIsRefused()
    {
        using var tmp = new TempDir();
        string trace = WriteNineVmTrace(tmp);
        (int exit, _, string stderr) = CliTests.Run("split", trace, "--shards", "5", "-o", tmp.File("five"));
        Assert.True(exit == 0, stderr);
        for (int s = 0; s < 5; s++)
        {
            using NativeTraceReader r = NativeTraceReader.Open(Path.Combine(tmp.File("five"), $"shard-{s:D4}-of-0005.dmt"));
            Assert.Equal(s.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Header.Metadata[Shards.FirstHostKey]);
            Assert.Equal(new[] { HostAt(s) }, r.Hosts);
        }

        // Shards 1 and 4 hold one VM each (2 and 5): a run of one, copied as a slice of the tick at its own index.
        int[][] vmsOfShard = [[0, 3, 6], [2], [4, 7], [1, 8], [5]];
        for (int s = 0; s < 5; s++)
        {
            TraceData shard = TraceData.Load(Path.Combine(tmp.File("five"), $"shard-{s:D4}-of-0005.dmt"));
            for (int t = 0; t < Ticks; t++)
                Assert.Equal(vmsOfShard[s].Select(v => Demand(v, t)), shard.Ticks[t]);
        }

        (exit, _, stderr) = CliTests.Run("split", trace, "--shards", "6", "-o", tmp.File("six"));
        Assert.Equal(2, exit);
        Assert.Contains("--shards 6 is out of range: expected 1..5", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("six")));
    }

    /// <summary>
    /// An output that is a file is refused as replay's is (docs/bad-input.md): <c>error: output 'FILE' is a file, expected
    /// a folder.</c>, exit 1, the file untouched.
    /// </summary>
    [Fact]
    public void Split_IntoAFile_IsRefusedSayingSo_TheFileUntouched()
    {
        using var tmp = new TempDir();
        string trace = WriteNineVmTrace(tmp), file = tmp.File("out");
        File.WriteAllText(file, "keep");
        (int exit, _, string stderr) = CliTests.Run("split", trace, "--shards", "2", "-o", file);
        Assert.Equal(1, exit);
        Assert.Contains($"output '{file}' is a file, expected a folder.", stderr, StringComparison.Ordinal);
        Assert.Equal("keep", File.ReadAllText(file));
    }

    /// <summary>The boundaries when the VMs lie on the last hosts: every shard still gets at least one host (docs/cluster.md).</summary>
    [Fact]
    public void Split_Boundaries_CutAtTheFirstPrefixThatReachesItsShare()
    {
        // 2 of 4 VMs (prefix 2 × 2 = 4 = 1 × 4) reach half exactly at host 1: the cut is there, not one host later.
        Assert.Equal([0, 1, 3], SplitCommand.Boundaries([2, 1, 1], 2));

        // No VMs at all: the hosts are shared one each, the rest to the last shard.
        Assert.Equal([0, 1, 2, 4], SplitCommand.Boundaries([0, 0, 0, 0], 3));
    }

    // ---- compare --policies: the "Balancer policies" section and comparison.json's policies ----

    /// <summary>An outcome of 200 servable on VM-ticks on <paramref name="vms"/> VMs: 1 GB held on average, a 2 GB peak per VM, 0.5 GB demand.</summary>
    private static ProbeOutcome Outcome(int vms, long paging = 0, long denied = 0, long unmet = 0, Histogram? pressure = null) => new()
    {
        Hosts = 1,
        Vms = vms,
        WarmupTicks = 31,
        Ticks = 25,
        WantedVmTicks = 200,
        UnservableVmTicks = 0,
        PagingVmTicks = paging,
        DeniedVmTicks = denied,
        OnVmTicks = 200,
        UnmetMbTicks = unmet,
        AssignedMbTicks = 200 * 1024,
        DemandMbTicks = 200 * 512,
        PeakAssignedMb = 2048L * vms,
        PressurePercentile = 0,
        Pressure = pressure,
        PerVm = [],
    };

    private static DensityResult Density(MemoryStrategy s, params int[] bySeed) => new(s, null,
        [.. bySeed.Select((v, i) => new DensitySeed(i, v, v > 0 ? Outcome(v) : null, null, []))],
        bySeed.All(v => v == 0) ? "misses the level even with one VM per host" : null, null)
    { SearchLimit = 100 };

    private static Histogram Pressure(params int[] samples)
    {
        var h = new Histogram(1000);
        foreach (int v in samples)
            h.Add(v);
        return h;
    }

    /// <summary>
    /// Three policies over three seeds: Hyper-V at 4, 6, 8 VMs per host against static provisioned's 2, 2, 2 (ratios 2,
    /// 3, 4: median 3.00), its side by side's pressure the values 0..99 once each (nearest rank: p50 49, p90 89, p95 94,
    /// p99 98, max 99, mean 49.5), 30 paging and 30 denied VM-ticks of 60 s (0.5 VM·h); the static policy with a pressure
    /// of 0, 1, 1 (p50, p90 and p99 all 1: rank 2 and 3 of 3; mean 0.667); ESX meeting the level at no density, with an empty pressure histogram.
    /// </summary>
    private static CapacityResult ThreePolicies()
    {
        DensityResult dm = Density(MemoryStrategy.DynamicMemory, 4, 6, 8), sp = Density(MemoryStrategy.StaticProvisioned, 2, 2, 2);
        DensityResult stat = Density(MemoryStrategy.DynamicMemory, 3, 3, 3), never = Density(MemoryStrategy.DynamicMemory, 0, 0, 0);
        CapacityResult r = CompareReportRowsTests.Result(new ServiceLevel(), [dm, sp], seeds: 3);
        return r with
        {
            Policies =
            [
                new PolicyResult(BalancerPolicy.HyperV, dm, new HostsResult(MemoryStrategy.DynamicMemory, 2, 3, Outcome(20), null, []), DensityRatio.Of(dm, sp),
                    Outcome(20, paging: 30, denied: 30, pressure: Pressure([.. Enumerable.Range(0, 100)]))),
                new PolicyResult(BalancerPolicy.Static, stat, new HostsResult(MemoryStrategy.DynamicMemory, 7, 8, Outcome(20), null, []), DensityRatio.Of(stat, sp),
                    Outcome(20, pressure: Pressure(0, 1, 1))),
                new PolicyResult(BalancerPolicy.Esx, never, new HostsResult(MemoryStrategy.DynamicMemory, null, 5, null, Outcome(20, paging: 100), []), DensityRatio.Of(never, sp),
                    Outcome(20, pressure: new Histogram(1000))),
            ],
            PolicyPlacement = "the trace's own placement",
        };
    }

    private static string Row(string md, string label, int table)
    {
        string[] rows = [.. md.ReplaceLineEndings("\n").Split('\n').Where(l => l.StartsWith("| " + label + " |", StringComparison.Ordinal))];
        return rows[table];
    }

    /// <summary>
    /// report.md's policy tables: the density table gives the median and range, the ratio's median, the hosts and the
    /// held memory at density as mean / peak; the side-by-side table paging, unmet GB·h, denied VM·h to one decimal,
    /// held mean / peak, the demand per VM and pressure p50 / p90 / p99, "–" without samples; the static policy is
    /// labelled as holding every VM at its Startup; the parameters say Hyper-V's are the model's and the static's none.
    /// </summary>
    [Fact]
    public void PolicySection_Rows_AreAsDocumented()
    {
        string md = new CompareReport(ThreePolicies(), 1).PolicySection();
        Assert.Equal("| Hyper-V | 6 (4–8) | 3.00 × static provisioned | 2 | 1.00 GB / 2.00 GB | – |", Row(md, "Hyper-V", 0));
        Assert.Equal("| Hyper-V | 15.00 % | 0.00 | 0.5 | 1.00 GB / 2.00 GB | 0.50 GB | 49 / 89 / 98 % |", Row(md, "Hyper-V", 1));
        Assert.Equal("| Hyper-V | R9–R15 with the model's parameters |", Row(md, "Hyper-V", 2));
        const string Static = "static (every VM held at its Startup)";
        Assert.Equal("| " + Static + " | 0.00 % | 0.00 | 0.0 | 1.00 GB / 2.00 GB | 0.50 GB | 1 / 1 / 1 % |", Row(md, Static, 1));
        Assert.Equal("| static | none |", Row(md, "static", 0));
        Assert.Equal("| VMware ESX | 0.00 % | 0.00 | 0.0 | 1.00 GB / 2.00 GB | 0.50 GB | – |", Row(md, "VMware ESX", 1));
    }

    /// <summary>
    /// The console line of a policy that meets the level at no density says it needs no number of hosts, even where its
    /// hosts-needed search stopped below one VM per host (5 hosts of a 20-VM pool), not "more than 5 hosts".
    /// </summary>
    [Fact]
    public void PolicyLines_APolicyThatNeverMeets_NeedsNoNumberOfHosts()
    {
        string line = new CompareReport(ThreePolicies(), 1).PolicyLines().ReplaceLineEndings("\n").Split('\n').Single(l => l.StartsWith("VMware ESX", StringComparison.Ordinal));
        Assert.Contains("meets the level at no density, no number of hosts;", line, StringComparison.Ordinal);
        Assert.DoesNotContain("more than", line, StringComparison.Ordinal);
    }

    /// <summary>
    /// comparison.json's policies (docs/compare.md): the key, the density's median, min and max, hosts needed and the most
    /// tried, the paging and servable counts, and the pressure's samples, mean (3 decimals), p50, p90, p95, p99 and max,
    /// with no pressure object for a histogram without samples ("when sampled").
    /// </summary>
    [Fact]
    public void Json_Policies_AreAsDocumented()
    {
        using var tmp = new TempDir();
        CompareReport.WriteJson(tmp.File("c.json"), ThreePolicies(), 1);
        JsonNode json = JsonNode.Parse(File.ReadAllText(tmp.File("c.json")))!;
        Assert.Equal("the trace's own placement", (string)json["policyPlacement"]!);
        JsonNode hyperV = json["policies"]![0]!;
        Assert.Equal("hyperv", (string)hyperV["policy"]!);
        Assert.Equal("Hyper-V", (string)hyperV["name"]!);
        Assert.Equal((6, 4, 8), ((int)hyperV["vmsPerHost"]!["median"]!, (int)hyperV["vmsPerHost"]!["min"]!, (int)hyperV["vmsPerHost"]!["max"]!));
        Assert.Equal(new[] { 4, 6, 8 }, hyperV["vmsPerHost"]!["seeds"]!.AsArray().Select(n => (int)n!));
        Assert.Equal((2, 3), ((int)hyperV["hostsNeeded"]!, (int)hyperV["maxHostsTried"]!));
        Assert.Equal("found", (string)hyperV["hostsAnswer"]!);
        JsonNode totals = hyperV["sideBySideTotals"]!;
        Assert.Equal((30L, 200L), ((long)totals["pagingVmTicks"]!, (long)totals["servableVmTicks"]!));
        Assert.Equal(0.5, (double)totals["deniedVmHours"]!);
        JsonNode p = totals["pressure"]!;
        Assert.Equal(100, (long)p["samples"]!);
        Assert.Equal(49.5, (double)p["mean"]!);
        Assert.Equal((49, 89, 94, 98, 99), ((int)p["p50"]!, (int)p["p90"]!, (int)p["p95"]!, (int)p["p99"]!, (int)p["max"]!));

        JsonNode stat = json["policies"]![1]!;
        Assert.Equal("static", (string)stat["policy"]!);
        Assert.Equal(0.667, (double)stat["sideBySideTotals"]!["pressure"]!["mean"]!);

        JsonNode esx = json["policies"]![2]!;
        Assert.Null(esx["hostsNeeded"]);
        Assert.Equal(5, (int)esx["maxHostsTried"]!);
        Assert.Equal("missesAtAnyDensity", (string)esx["hostsAnswer"]!);
        Assert.False(esx["sideBySideTotals"]!.AsObject().ContainsKey("pressure"));
    }
}
