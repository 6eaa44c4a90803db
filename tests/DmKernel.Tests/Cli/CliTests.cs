using System.Text.Json.Nodes;
using DmKernel.Cli;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>Runs alone: the CLI writes to the process's Console, which these tests capture.</summary>
[CollectionDefinition(nameof(CliTests), DisableParallelization = true)]
public sealed class CliCollection;

/// <summary>The dmkernel command in-process: outputs, clear errors with non-zero exit codes, nothing half-written.</summary>
[Collection(nameof(CliTests))]
public class CliTests
{
    /// <summary>Runs the CLI in-process with its Console output captured (callers are in the CLI collection).</summary>
    internal static (int Exit, string Out, string Err) Run(params string[] args)
    {
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int exit = CliApp.Run(args);
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    private static void AssertNothingWritten(string dir)
    {
        if (Directory.Exists(dir))
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
    }

    [Fact]
    public void Replay_SampleTrace_WritesEveryOutputAndTheHeadline()
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("out");
        (int exit, string stdout, _) = Run("replay", ReplayDeterminismTests.SampleTrace, "-o", outDir);
        Assert.Equal(0, exit);
        Assert.Contains("Replayed 200 VMs on 4 hosts for 1440 ticks", stdout, StringComparison.Ordinal);
        foreach (string name in new[] { "summary.json", "hosts.csv", "fleet.csv", "placement.csv", "report.md", "fleet.png", "pressure.png", "hosts.png" })
            Assert.True(File.Exists(Path.Combine(outDir, name)), $"{name} missing");
        Assert.DoesNotContain(Directory.EnumerateDirectories(outDir), d => Path.GetFileName(d).StartsWith(".staging", StringComparison.Ordinal));
        JsonNode summary = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")))!;
        foreach (string field in new[] { "vms", "hosts", "ticks", "vmTicks", "stateHash", "model", "fleet" })
            Assert.NotNull(summary[field]);
        foreach (string field in new[] { "wallSeconds", "vmTicksPerSecond", "peakWorkingSetBytes" })
            Assert.NotNull(summary["run"]![field]);
        Assert.Equal(200, (int)summary["vms"]!);
        Assert.Equal(200L * 1440, (long)summary["vmTicks"]!);
        string report = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("![Fleet memory](fleet.png)", report, StringComparison.Ordinal);

        // The unservable part of the paging (demand above what a VM's settings can give it), fleet-wide and for each VM
        // that starves most, as the replay's metrics count it: the sample has VMs that page only for want of host
        // memory, only above their Maximum, and both.
        JsonNode fleet = summary["fleet"]!;
        double on = (double)fleet["onVmSeconds"]!, unservable = (double)fleet["unservablePagingVmSeconds"]!;
        Assert.True(unservable > 0 && unservable < (double)fleet["pagingVmSeconds"]!, $"unservable paging {unservable} s");
        Assert.Contains($"| of which unservable (demand above the VM's Maximum or static size) | {DmKernel.Traces.Capacity.ShareText.Percent(unservable / on)} of VM-time on |", report, StringComparison.Ordinal);
        using (NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace))
        using (var engine = new DmKernel.Traces.Replay.ReplayEngine(reader, new DmKernel.Traces.Replay.ReplayOptions()))
        {
            while (engine.Step())
            {
            }

            var shares = new HashSet<string>();
            string[] lines = report.Split('\n');
            string[] Table(string heading) => [.. lines.SkipWhile(l => !l.StartsWith(heading, StringComparison.Ordinal)).Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).Where(l => l.StartsWith("| vm", StringComparison.Ordinal))];
            DmKernel.Traces.Replay.ReplayOutcome outcome = DmKernel.Traces.Replay.ReplayOutcome.FromEngine(engine, "t");
            string[] most = Table("## VMs that starve most (time paging)");
            Assert.Equal(outcome.Starving.Select(v => v.Id), most.Select(l => l.Split('|', StringSplitOptions.TrimEntries)[1]));
            foreach (DmKernel.Traces.Replay.StarvingVm vm in outcome.Starving)
            {
                string[] cells = most.Single(l => l.StartsWith($"| {vm.Id} |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries);
                string share = DmKernel.Traces.Capacity.ShareText.Percent((double)vm.UnservableTicks / vm.PagingTicks);
                Assert.Equal(share, cells[4]);
                shares.Add(share);
            }

            Assert.Contains("0.00 %", shares);
            Assert.Contains("100.00 %", shares);
            Assert.True(shares.Count > 2, string.Join(", ", shares));

            // The servable table: the VMs with the most servable paging hours, some of which the first table leaves out
            // (it ranks VMs that page above their Maximum first), none without servable paging.
            string[] servable = Table("## VMs that starve most on servable demand");
            Assert.Equal(outcome.StarvingServable.Select(v => v.Id), servable.Select(l => l.Split('|', StringSplitOptions.TrimEntries)[1]));
            Assert.Equal(10, servable.Length);
            foreach (DmKernel.Traces.Replay.StarvingVm vm in outcome.StarvingServable)
            {
                string[] cells = servable.Single(l => l.StartsWith($"| {vm.Id} |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries);
                Assert.Equal((vm.ServableTicks * 60 / 3600.0).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + " h", cells[2]);
                Assert.True(vm.ServableTicks > 0);
            }

            Assert.Contains(outcome.StarvingServable, v => !outcome.Starving.Any(s => s.Id == v.Id));

            // summary.json lists both tables' VMs for scripts, in the same order, in seconds.
            foreach ((string name, IReadOnlyList<DmKernel.Traces.Replay.StarvingVm> vms) in new[] { ("starving", outcome.Starving), ("starvingServable", outcome.StarvingServable) })
            {
                JsonArray listed = summary[name]!.AsArray();
                Assert.Equal(vms.Count, listed.Count);
                for (int k = 0; k < vms.Count; k++)
                {
                    Assert.Equal(vms[k].Vm, (int)listed[k]!["vm"]!);
                    Assert.Equal(vms[k].Id, (string)listed[k]!["id"]!);
                    Assert.Equal(vms[k].PagingTicks * 60.0, (double)listed[k]!["pagingSeconds"]!);
                    Assert.Equal(vms[k].UnservableTicks * 60.0, (double)listed[k]!["unservablePagingSeconds"]!);
                    Assert.Equal(vms[k].UnmetMbTicks * 60.0, (double)listed[k]!["unmetDemandMbSeconds"]!);
                }
            }
            Assert.True(outcome.StarvingServable.Zip(outcome.StarvingServable.Skip(1)).All(p => p.First.ServableTicks >= p.Second.ServableTicks));
        }

        Assert.Equal(1 + (4 * (1440 / 2)), File.ReadAllLines(Path.Combine(outDir, "hosts.csv")).Length); // every 2nd tick, 4 hosts
        Assert.Equal(1 + 200, File.ReadAllLines(Path.Combine(outDir, "placement.csv")).Length);
    }

    [Fact]
    public void Replay_FleetCsv_IsTheFleetSeries_EveryTick_AgreeingWithHostsCsvAndSummary()
    {
        // fleet.csv (docs/outputs.md) checked against the other outputs, which are counted apart: per tick, its host
        // columns against hosts.csv written every tick (Σ available, Σ assigned = total − reserve − available − pending
        // by R3 and R14, Σ short, and the nearest-rank percentiles of ⌊100 × available / total⌋ across hosts); over
        // the run, its VM counts against summary.json's VM-seconds and its MB against the means and the peak. A trace
        // with churn on small hosts, so that VMs are off, page and hosts run short.
        using var tmp = new TempDir();
        string trace = tmp.File("t.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 120, Hosts = 6, Ticks = 400, Seed = 21, TickSeconds = 60, HostHeadroom = 1.0, ChurnFraction = 0.3, MeanOnSeconds = 6000, MeanOffSeconds = 3000 });
        string outDir = tmp.File("out");
        (int exit, _, string err) = Run("replay", trace, "-o", outDir, "--host-series-every", "1");
        Assert.True(exit == 0, err);

        string[] fleet = File.ReadAllLines(Path.Combine(outDir, "fleet.csv"));
        Assert.Equal("tick,on_vms,paging_vms,assigned_mb,demand_mb,available_mb,short_hosts,host_available_p5,host_available_p50,host_available_p95", fleet[0]);
        long[][] rows = [.. fleet.Skip(1).Select(l => l.Split(',').Select(long.Parse).ToArray())];
        Assert.Equal(400, rows.Length);
        var hosts = File.ReadAllLines(Path.Combine(outDir, "hosts.csv")).Skip(1).Select(l => l.Split(',').Select(long.Parse).ToArray()).ToLookup(r => r[0]);
        for (int t = 0; t < rows.Length; t++)
        {
            long[] r = rows[t];
            long[][] h = [.. hosts[t]];
            Assert.Equal(t, r[0]);
            Assert.Equal(6, h.Length);
            Assert.Equal(h.Sum(x => x[4]), r[3]); // assigned_mb
            Assert.Equal(h.Sum(x => x[3]), r[5]); // available_mb
            Assert.Equal(h.Sum(x => x[9]), r[6]); // short
            long[] percents = [.. h.Select(x => 100 * x[3] / x[2]).Order()];
            long Rank(double p) => percents[(int)Math.Max(1, Math.Ceiling(p / 100 * percents.Length)) - 1];
            Assert.Equal([Rank(5), Rank(50), Rank(95)], r[7..10]);
            Assert.InRange(r[2], 0, r[1]); // paging VMs are VMs on
            Assert.InRange(r[1], 0, 120);
        }

        JsonNode f = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")))!["fleet"]!;
        Assert.Equal((double)f["onVmSeconds"]!, rows.Sum(r => r[1]) * 60.0);
        Assert.Equal((double)f["pagingVmSeconds"]!, rows.Sum(r => r[2]) * 60.0);
        Assert.Equal((double)f["shortHostSeconds"]!, rows.Sum(r => r[6]) * 60.0);
        Assert.Equal((long)f["peakAssignedMb"]!, rows.Max(r => r[3]));
        Assert.Equal((double)f["meanAssignedMb"]!, Math.Round(rows.Average(r => (double)r[3]), 6), 6);
        Assert.Equal((double)f["meanDemandMb"]!, Math.Round(rows.Average(r => (double)r[4]), 6), 6);

        // The run has what the columns are there to show: VMs off and paging, hosts short.
        Assert.Contains(rows, r => r[1] < 120);
        Assert.Contains(rows, r => r[2] > 0);
        Assert.Contains(rows, r => r[6] > 0);
        Assert.Contains("`fleet.csv`", File.ReadAllText(Path.Combine(outDir, "report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_MissingFile_ExitsOneNamingItAndWritesNothing()
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("out");
        (int exit, _, string stderr) = Run("replay", tmp.File("nope.dmt"), "-o", outDir);
        Assert.Equal(1, exit);
        Assert.Contains("nope.dmt", stderr, StringComparison.Ordinal);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
        AssertNothingWritten(outDir);
    }

    [Theory]
    [InlineData("--path", "v9", "--path")]
    [InlineData("--threads", "0", "--threads")]
    [InlineData("--threads", "1025", "--threads 1025 is out of range: expected 1..1024.")]
    [InlineData("--host-mb", "-4", "host-mb")]
    [InlineData("--max-remove", "0", "--max-remove: 0 is out of range")]
    [InlineData("--boot-grace", "NaN", "--boot-grace: NaN is out of range")]
    [InlineData("--checkpoint-every", "0", "--checkpoint-every 0 is out of range: expected at least 1")]
    [InlineData("--host-series-every", "0", "--host-series-every 0 is out of range: expected at least 1")]
    public void Replay_BadOption_ExitsTwoNamingTheOption(string option, string value, string named)
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("out");
        (int exit, _, string stderr) = Run("replay", ReplayDeterminismTests.SampleTrace, "-o", outDir, option, value);
        Assert.Equal(2, exit);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
        AssertNothingWritten(outDir);
    }

    [Fact]
    public void Replay_CorruptTrace_ExitsOneNamingTheChunkAndKeepsEarlierOutputs()
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "summary.json"), "earlier");
        byte[] bytes = File.ReadAllBytes(ReplayDeterminismTests.SampleTrace);
        bytes[bytes.Length / 2] ^= 0x40;
        string corrupt = tmp.File("corrupt.dmt");
        File.WriteAllBytes(corrupt, bytes);

        (int exit, _, string stderr) = Run("replay", corrupt, "-o", outDir);
        Assert.Equal(1, exit);
        Assert.Contains("corrupt.dmt", stderr, StringComparison.Ordinal);
        Assert.Contains("chunk", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("earlier", File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Single(Directory.EnumerateFileSystemEntries(outDir));
    }

    [Fact]
    public void Generate_SameSeedTwice_SameBytes_ThenCompareAnswersTheQuestion()
    {
        using var tmp = new TempDir();
        string a = tmp.File("a.dmt"), b = tmp.File("b.dmt");
        string[] gen = ["generate", "--vms", "40", "--hosts", "2", "--ticks", "60", "--seed", "5", "--tick-seconds", "60"];
        Assert.Equal(0, Run([.. gen, "-o", a]).Exit);
        Assert.Equal(0, Run([.. gen, "-o", b]).Exit);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));

        string outDir = tmp.File("cmp");
        (int exit, string stdout, string stderr) = Run("compare", a, "-o", outDir, "--seeds", "2", "--sensitivity");
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("**Answer: ", stdout, StringComparison.Ordinal);
        string report = File.ReadAllText(Path.Combine(outDir, "report.md"));
        string[] lines = report.Split('\n');
        Assert.StartsWith("# Do we need Dynamic Memory?", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("**Answer: ", lines[2], StringComparison.Ordinal); // the answer comes first
        Assert.Contains("at most 1 % of servable VM-time paging, no denied start", lines[2], StringComparison.Ordinal);
        foreach (string strategy in new[] { "Dynamic Memory", "static provisioned", "Dynamic Memory, buffer 10 %", "Dynamic Memory, buffer 50 %", "fixed 1 GB", "fixed 4 GB", "provisioned + 50 %" })
            Assert.Contains($"| {strategy} |", report, StringComparison.Ordinal);
        Assert.Contains("## Sensitivity to the demand model", report, StringComparison.Ordinal);
        Assert.Contains("![Unserved VM-time against VMs per host, per strategy](density.png)", report, StringComparison.Ordinal);
        Assert.DoesNotContain("The trace has only", report, StringComparison.Ordinal); // that warning is for fewer than 30 VMs
        // The ratio is the median of the per-draw ratios (not the ratio of the median densities), and says so.
        Assert.Contains("the median of the ratios draw by draw", lines[2], StringComparison.Ordinal);
        // Each draw's miss, named by its seed (before: at most two, unlabelled, the third dropped).
        Assert.Contains("| Dynamic Memory | 10 (10–17) | 1.00 × | seed 1: pages ", report, StringComparison.Ordinal);
        Assert.Contains("; seed 2: pages ", report, StringComparison.Ordinal);
        // A strategy that misses the level at any density needs no number of hosts (before: "more than 2", as if a
        // larger --max-hosts could find one).
        Assert.Contains("| fixed 1 GB | none: it misses the level at any density (above) |", report, StringComparison.Ordinal);
        Assert.DoesNotContain("| more than ", report, StringComparison.Ordinal);
        // A generated trace's sensitivity rows scale its demand; they name no demand model it does not have.
        Assert.Contains("| demand × 0.8 |", report, StringComparison.Ordinal);
        Assert.DoesNotContain("| k 0.8", report, StringComparison.Ordinal);
        JsonNode json = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "comparison.json")))!;
        Assert.Equal(7, json["strategies"]!.AsArray().Count);
        // A generated trace records no demand model: its committed demand is scaled by 0.8, 0.9, 1.1 and 1.25.
        Assert.Equal([0.8, 0.9, 1.1, 1.25], json["sensitivity"]!.AsArray().Select(c => (double)c!["demandModel"]!["k"]!));
        Assert.Equal(2, json["strategies"]![0]!["vmsPerHost"]!["bySeed"]!.AsArray().Count);
        Assert.NotNull(json["verdict"]!["dynamicMemoryPaysOff"]);
        Assert.True(new FileInfo(Path.Combine(outDir, "density.png")).Length > 10_000);
    }

    /// <summary>
    /// generate --profile vdi alone writes the fleet its help gives as the profile's defaults (--vms 200 --hosts 2 --ticks 288
    /// --tick-seconds 300 --host-mb 98304), the fleet README's VDI example compares.
    /// </summary>
    [Fact]
    public void Generate_VdiProfile_WithoutOptions_WritesTheProfilesDefaults()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("vdi.dmt");
        (int exit, string stdout, string stderr) = Run("generate", "--profile", "vdi", "-o", trace);
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("Generated a VDI fleet: 200 desktops of 1024 MB on 2 hosts of 98304 MB, 288 ticks of 300 s, in ", stdout, StringComparison.Ordinal);
        using NativeTraceReader reader = NativeTraceReader.Open(trace);
        Assert.Equal((300.0, 200, 288L, 2), (reader.Header.TickSeconds, reader.Header.VmCount, reader.Header.TickCount, reader.Header.HostCount));
        Assert.All(reader.Hosts, h => Assert.Equal(98_304, h.TotalMb));
    }

    /// <summary>
    /// compare's memory per VM is in GB with two decimals, below 1 GB too (before: "599 MB" beside "2.08 GB" in one
    /// column, "4 GB" beside "3.97 GB"); the host size stays whole; one seed is "1 seed".
    /// </summary>
    [Fact]
    public void Compare_MemoryPerVm_IsInOneUnit_SmallDesktopsIncluded()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("v.dmt");
        Assert.Equal(0, Run("generate", "--profile", "vdi", "--vms", "40", "--ticks", "48", "--seed", "3", "-o", trace).Exit);
        (int exit, string stdout, string stderr) = Run("compare", trace, "-o", tmp.File("cmp"), "--seeds", "1");
        Assert.True(exit == 0, stderr);
        Assert.Contains("7 strategies × 1 seed;", stderr + stdout, StringComparison.Ordinal);
        string[] lines = File.ReadAllLines(tmp.File("cmp/report.md"));
        Assert.Contains("VMs per 96 GB host", lines[2], StringComparison.Ordinal);
        // 1-GB desktops committing about 580 MB: held and demand per VM below 1 GB, still in GB.
        Assert.Matches(@"^\| Dynamic Memory \| .* \| 0\.\d\d GB / 0\.\d\d GB \| 0\.\d\d GB \| ", lines.First(l => l.StartsWith("| Dynamic Memory |", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.StartsWith("| Dynamic Memory |", StringComparison.Ordinal) && l.Contains(" MB |", StringComparison.Ordinal));
    }

    /// <summary>
    /// compare --policies: the static policy (every VM held at its Startup) is told apart from the strategy "static
    /// provisioned" (every VM at its Maximum) in the report's tables, and the console names policies.png among the outputs.
    /// </summary>
    [Fact]
    public void Compare_WithPolicies_NamesTheStaticPolicyForWhatItDoes_AndListsPoliciesPng()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("g.dmt");
        Assert.Equal(0, Run("generate", "--vms", "40", "--hosts", "2", "--ticks", "60", "--seed", "5", "--tick-seconds", "60", "-o", trace).Exit);
        (int exit, string stdout, string stderr) = Run("compare", trace, "-o", tmp.File("cmp"), "--seeds", "2", "--policies", "hyperv,static");
        Assert.True(exit == 0, stderr);
        Assert.Contains(", density.png, policies.png", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(tmp.File("cmp/policies.png")));
        string report = File.ReadAllText(tmp.File("cmp/report.md"));
        Assert.Equal(2, report.Split("| static (every VM held at its Startup) |").Length - 1); // density table and side by side
        Assert.Contains("| static provisioned |", report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--paging-limit", "2", "--paging-limit")]
    [InlineData("--hash-every", "5", "--hash-every")]
    [InlineData("--pressure-percentile", "99", "--pressure-percentile applies only with --pressure-limit")]
    [InlineData("--buffers", "10,x", "--buffers: 'x' is not a buffer")]
    [InlineData("--buffers", "3", "--buffers: '3' is not a buffer")]
    [InlineData("--seeds", "0", "--seeds 0 is out of range")]
    [InlineData("--max-hosts", "0", "--max-hosts 0 is out of range: expected at least 1.")]
    [InlineData("--pressure-limit", "0", "--pressure-limit")]
    public void Compare_OptionThatCannotApply_IsRefusedByName(string option, string value, string message)
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("cmp");
        (int exit, _, string stderr) = Run("compare", ReplayDeterminismTests.SampleTrace, "-o", outDir, option, value);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        AssertNothingWritten(outDir);
    }

    /// <summary>
    /// --buffers takes R1's whole range, 5..2000 % (docs/compare.md: "a buffer outside R1's 5..2000 %" is refused): both
    /// ends are compared as strategies of their own.
    /// </summary>
    [Fact]
    public void Compare_BuffersAtTheEndsOfR1sRange_AreCompared()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run("compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("cmp"), "--seeds", "1", "--max-ticks", "30", "--buffers", "5,2000");
        Assert.True(exit == 0, stderr);
        string[] keys = [.. JsonNode.Parse(File.ReadAllText(tmp.File("cmp/comparison.json")))!["strategies"]!.AsArray().Select(s => (string)s!["key"]!)];
        Assert.Contains("dm-buffer-5", keys);
        Assert.Contains("dm-buffer-2000", keys);
    }

    /// <summary>--pressure-limit without --pressure-percentile bounds the 95th percentile (docs/compare.md: "default 95").</summary>
    [Fact]
    public void Compare_PressureLimitAlone_BoundsThe95thPercentile()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run("compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("cmp"), "--seeds", "1", "--max-ticks", "30", "--buffers", "none", "--pressure-limit", "150");
        Assert.True(exit == 0, stderr);
        JsonNode level = JsonNode.Parse(File.ReadAllText(tmp.File("cmp/comparison.json")))!["serviceLevel"]!;
        Assert.Equal(150, (int)level["maxPressure"]!);
        Assert.Equal(95.0, (double)level["pressurePercentile"]!);
    }

    /// <summary>
    /// report.md's figures against comparison.json: the draws' seeds are the first seed and those that follow it, one per
    /// draw (docs/compare.md, firstSeed), and the hosts table's VMs per host is the pool over the hosts needed, to a tenth.
    /// </summary>
    [Fact]
    public void Compare_Report_SeedRangeAndVmsPerHostNeeded_AgreeWithTheJson()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run("compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("cmp"), "--seeds", "2", "--seed", "5", "--max-ticks", "30", "--buffers", "none");
        Assert.True(exit == 0, stderr);
        string report = File.ReadAllText(tmp.File("cmp/report.md"));
        JsonNode json = JsonNode.Parse(File.ReadAllText(tmp.File("cmp/comparison.json")))!;
        Assert.Equal((2, 5), ((int)json["seeds"]!, (int)json["firstSeed"]!));
        Assert.Contains("for 2 draws (seeds 5..6)", report, StringComparison.Ordinal);

        int pool = (int)json["poolVms"]!;
        JsonNode dm = json["strategies"]!.AsArray().Single(s => (string)s!["key"]! == "dm")!;
        int hosts = (int)dm["hostsNeeded"]!["hosts"]!;
        string table = report[report.IndexOf("## Hosts this fleet needs", StringComparison.Ordinal)..];
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"| Dynamic Memory | {hosts} | {(double)pool / hosts:F1} | "), table, StringComparison.Ordinal);
    }

    /// <summary>
    /// report.md's unservable paragraph gives the VMs unservable for most of their on-time as a share of the trace's fleet,
    /// every VM of the trace (here 1 of 4), not of the pool that leaves out a VM never on (1 of 3).
    /// </summary>
    [Fact]
    public void Compare_Report_UnservableShareOfTheFleet_CountsEveryVmOfTheTrace()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("t.dmt");
        TraceVm[] vms =
        [
            new("hog", VmSettings.Dynamic(1024, 512, 2048), 0), new("a", VmSettings.Dynamic(1024, 512, 2048), 0),
            new("b", VmSettings.Dynamic(1024, 512, 2048), 0), new("never", VmSettings.Dynamic(1024, 512, 2048), 0),
        ];
        using (var w = new NativeTraceWriter(trace, new TraceDescription(60, "test: unservable"), vms, [new TraceHost(8192)]))
        {
            for (int tick = 0; tick < 30; tick++)
                w.WriteTick([4000, 600, 700, -1]); // the hog demands above its Maximum all the time; "never" is never on
            w.Complete();
        }

        (int exit, _, string stderr) = Run("compare", trace, "-o", tmp.File("cmp"), "--seeds", "1", "--buffers", "none");
        Assert.True(exit == 0, stderr);
        JsonNode json = JsonNode.Parse(File.ReadAllText(tmp.File("cmp/comparison.json")))!;
        Assert.Equal((4, 3), ((int)json["vms"]!, (int)json["poolVms"]!));
        Assert.Contains("1 VM has some; 1 (25.0 % of the fleet) for most of their on-time.", File.ReadAllText(tmp.File("cmp/report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_MaxHostsBelowWhatTheFleetNeeds_ExitsTwoNamingIt_AndWritesNothing()
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("cmp");
        (int exit, _, string stderr) = Run("compare", ReplayDeterminismTests.SampleTrace, "-o", outDir, "--max-hosts", "1", "--host-mb", "65536");
        Assert.Equal(2, exit);
        Assert.Contains("--max-hosts: 1 host(s) are too few for this fleet", stderr, StringComparison.Ordinal);
        AssertNothingWritten(outDir);
    }

    [Fact]
    public void Replay_HostMbOnATraceWithHosts_IsRefusedNotIgnored()
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("out");
        (int exit, _, string stderr) = Run("replay", ReplayDeterminismTests.SampleTrace, "-o", outDir, "--host-mb", "65536");
        Assert.Equal(2, exit);
        Assert.Contains("--host-mb applies only to a trace without hosts", stderr, StringComparison.Ordinal);
        AssertNothingWritten(outDir);
    }

    [Fact]
    public void Replay_VmLargerThanTheDefaultHost_NamesTheHostSizeThatFits()
    {
        using var tmp = new TempDir();
        var vms = new[] { new TraceVm("big", VmSettings.Dynamic(300_000, 75_000, 300_000)) };
        string trace = tmp.File("big.dmt");
        using (var w = new NativeTraceWriter(trace, new TraceDescription(60, "test"), vms, []))
        {
            w.WriteTick([1000]);
            w.Complete();
        }

        (int exit, _, string stderr) = Run("replay", trace, "-o", tmp.File("out"));
        Assert.Equal(1, exit);
        Assert.Contains("'big'", stderr, StringComparison.Ordinal);
        Assert.Contains("--host-mb", stderr, StringComparison.Ordinal);
        Assert.Contains("302048", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ImportBitbrains_ThenReplay_OnTheRealSample()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("bitbrains.dmt");
        (int exit, string stdout, string stderr) = Run("import", "bitbrains", RealTraces.Path("bitbrains-gwa-t-12-rnd"), "-o", trace, "--place-on-host-mb", "1048576");
        Assert.True(exit == 0, stderr);
        Assert.Contains("9 VMs", stdout, StringComparison.Ordinal);
        (exit, stdout, stderr) = Run("replay", trace, "-o", tmp.File("out"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("Replayed 9 VMs on 1 host for", stdout, StringComparison.Ordinal);
        Assert.Contains("9 VMs on 1 host (", File.ReadAllText(tmp.File("out/report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Import_MissingInput_ExitsOne()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run("import", "bitbrains", tmp.File("none"), "-o", tmp.File("x.dmt"));
        Assert.Equal(1, exit);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(tmp.File("x.dmt")));
    }
}

/// <summary>--lenient skips, by kind, travel from the import into the trace and the replay's summary.json.</summary>
[Collection(nameof(CliTests))]
public class LenientSummaryTests
{
    [Fact]
    public void LenientImport_SkipCountsByKind_AppearInReplaySummary()
    {
        using var tmp = new TempDir();
        const string Header = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]";
        static string Row(long t, string mem) => $"{t};\t2;\t5000.0;\t50.0;\t1.0;\t4194304.0;\t{mem};\t0.0;\t0.0;\t0.0;\t0.0";
        var lines = new List<string> { Header };
        for (int i = 0; i < 20; i++)
            lines.Add(Row(1375308000 + (300 * i), i == 5 ? "abc" : i == 9 ? "NaN" : i == 12 ? "-5.0" : "1048576.0"));
        tmp.Write("in/2013-8/1.csv", string.Join('\n', lines) + "\n");
        string trace = tmp.File("t.dmt");
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        Console.SetOut(new StringWriter());
        var err = new StringWriter();
        Console.SetError(err);
        try
        {
            Assert.Equal(1, CliApp.Run(["import", "bitbrains", tmp.File("in"), "-o", trace]));        // strict: the first bad row stops it
            Assert.Contains("1.csv:7", err.ToString(), StringComparison.Ordinal);
            Assert.Equal(0, CliApp.Run(["import", "bitbrains", tmp.File("in"), "-o", trace, "--lenient"]));
            Assert.Equal(0, CliApp.Run(["replay", trace, "-o", tmp.File("out")]));
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }

        JsonNode meta = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("out"), "summary.json")))!["trace"]!["metadata"]!;
        Assert.Equal("true", (string)meta["import.lenient"]!);
        Assert.Equal("3", (string)meta["import.rows_skipped"]!);
        Assert.Equal("1", (string)meta["import.skipped.NotANumber"]!);
        Assert.Equal("1", (string)meta["import.skipped.NotFinite"]!);
        Assert.Equal("1", (string)meta["import.skipped.NegativeValue"]!);
    }

    [Fact]
    public void Replay_WhereNoVmPagesOrIsSampled_SaysSo_AndTheUnmetDemandRowMatchesTheHeadline()
    {
        using var tmp = new TempDir();
        static void Write(string path, int ticks, int committed, double tickSeconds = 60)
        {
            using var w = new NativeTraceWriter(path, new TraceDescription(tickSeconds, "x"), [new TraceVm("a", VmSettings.Dynamic(1024, 512, 4096), 0), new TraceVm("b", VmSettings.Dynamic(1024, 512, 4096), 0)], [new TraceHost(16_384)]);
            for (int t = 0; t < ticks; t++)
                w.WriteTick([committed, committed]);
            w.Complete();
        }

        // Never on: no VM paged. The first starving table was its header with no row (the second one said "No VM paged.").
        Write(tmp.File("off.dmt"), 5, -1);
        Assert.Equal(0, CliTests.Run("replay", tmp.File("off.dmt"), "-o", tmp.File("off")).Exit);
        string report = File.ReadAllText(tmp.File("off/report.md"));
        Assert.Contains("## VMs that starve most (time paging)\n\nNo VM paged.\n", report.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("| VM | paging time |", report, StringComparison.Ordinal);
        // ... and the servable table under it says the same, not that all of the paging was unservable.
        Assert.Contains("## VMs that starve most on servable demand (host memory short, or booting at Startup)\n\nNo VM paged.\n", report.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("all of the paging is unservable", report, StringComparison.Ordinal);
        // A replay restarts no VM, so Smart Paging (R6) is 0, and the row says why rather than "0.00".
        Assert.Contains("| Smart Paging | 0 VM·h (R6 uses it only on a restart; a trace starts and stops VMs, it restarts none) |", report, StringComparison.Ordinal);

        // Demand above the VMs' 4 GB Maximum on every tick: all of the paging is unservable (even while booting, the
        // demand is above what the Maximum can ever give), so the servable table has no row and says why.
        Write(tmp.File("over.dmt"), 3, 5000);
        Assert.Equal(0, CliTests.Run("replay", tmp.File("over.dmt"), "-o", tmp.File("over")).Exit);
        string over = File.ReadAllText(tmp.File("over/report.md")).ReplaceLineEndings("\n");
        Assert.Contains("(host memory short, or booting at Startup)\n\nNo VM paged on servable demand: all of the paging is unservable.\n", over, StringComparison.Ordinal);

        // One tick of booting VMs above their Startup: all paging, no pressure sample. The table's unmet demand read
        // "0.0 GB·h" where the headline and the VMs' rows read 0.02.
        Write(tmp.File("boot.dmt"), 1, 2000);
        (int exit, string stdout, _) = CliTests.Run("replay", tmp.File("boot.dmt"), "-o", tmp.File("boot"));
        Assert.Equal(0, exit);
        Assert.Contains("unmet demand 0.03 GB·h", stdout, StringComparison.Ordinal);
        Assert.Contains("| unmet demand | 0.03 GB·h |", File.ReadAllText(tmp.File("boot/report.md")), StringComparison.Ordinal);

        // The same with ticks of 1 s: 0.0005 GB·h and 0.0003 h read "0.00" (as if nothing were unmet); now "< 0.01".
        Write(tmp.File("short.dmt"), 1, 2000, tickSeconds: 1);
        (exit, stdout, _) = CliTests.Run("replay", tmp.File("short.dmt"), "-o", tmp.File("short"));
        Assert.Equal(0, exit);
        Assert.Contains("unmet demand < 0.01 GB·h", stdout, StringComparison.Ordinal);
        string shortReport = File.ReadAllText(tmp.File("short/report.md"));
        Assert.Contains("| unmet demand | < 0.01 GB·h |", shortReport, StringComparison.Ordinal);
        Assert.Contains("| a | < 0.01 h |", shortReport, StringComparison.Ordinal);
        Assert.DoesNotContain("| 0.00 GB·h |", shortReport, StringComparison.Ordinal);
        Assert.DoesNotContain("| 0.00 h |", shortReport, StringComparison.Ordinal);

        // pressure.png's title says why the plot is empty when there is no sample.
        Assert.EndsWith("\nno samples: no Running Dynamic Memory VM in the measured ticks", DmKernel.Cli.Report.ReplayReport.PressureTitle(0, 0, 300), StringComparison.Ordinal);
        Assert.DoesNotContain("no samples", DmKernel.Cli.Report.ReplayReport.PressureTitle(10, 0, 300), StringComparison.Ordinal);
        // It gives the share above the plot only when there is one.
        Assert.Equal("Pressure of Running Dynamic Memory VMs (one sample per VM-tick)", DmKernel.Cli.Report.ReplayReport.PressureTitle(10, 0, 300));
        Assert.EndsWith("\n20.00 % of the samples are above 300 % (not shown)", DmKernel.Cli.Report.ReplayReport.PressureTitle(10, 2, 300), StringComparison.Ordinal);
    }
}
