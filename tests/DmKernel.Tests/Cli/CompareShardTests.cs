using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DmKernel.Cli.Commands;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// compare --shard and merge: the comparison's searches split between separate processes (the index from the scheduler's
/// variable) merge to exactly one compare process's outputs; bad shards are refused by name, with nothing written.
/// </summary>
[Collection(nameof(CliTests))]
public partial class CompareShardTests
{
    private static readonly string Trace = ReplayDeterminismTests.SampleTrace;

    /// <summary>report.md with its one line that varies from run to run, the wall time of "- N probes, M VM-ticks, S s.", cut to "S s".</summary>
    private static string ReportWithoutWallTime(string path)
    {
        string text = File.ReadAllText(path);
        Assert.Single(WallTime().Matches(text));
        return WallTime().Replace(text, "$1 S s.");
    }

    [GeneratedRegex(@"^(- \d+ probes?, \d+ (?:M )?VM-ticks?,) [0-9.]+ s\.$", RegexOptions.Multiline)]
    private static partial Regex WallTime();

    /// <summary>Asserts that <paramref name="merged"/> holds exactly <paramref name="single"/>'s outputs (comparison.json outside run, report.md apart from its wall time).</summary>
    private static void AssertSameOutputs(string single, string merged, bool policies)
    {
        Assert.Equal(ReplayDeterminismTests.WithoutRun(File.ReadAllText(Path.Combine(single, "comparison.json"))),
            ReplayDeterminismTests.WithoutRun(File.ReadAllText(Path.Combine(merged, "comparison.json"))));
        Assert.Equal(ReportWithoutWallTime(Path.Combine(single, "report.md")), ReportWithoutWallTime(Path.Combine(merged, "report.md")));
        foreach (string name in policies ? (string[])["density.png", "policies.png"] : ["density.png"])
            Assert.True(File.ReadAllBytes(Path.Combine(single, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(merged, name))), $"{name} differs");
        Assert.Equal(policies, File.Exists(Path.Combine(merged, "policies.png")));
    }

    [Theory]
    [InlineData("kubernetes", new[] { "--seeds", "2", "--sensitivity", "--policies", "esx,hyperv" })]
    [InlineData("slurm", new[] { "--seeds", "1", "--max-ticks", "720" })]
    public async Task Shards_AsSeparateProcesses_WithTheSchedulersIndex_MergeToTheSingleProcessOutputs(string scheduler, string[] options)
    {
        using var tmp = new TempDir();
        string shards = tmp.File("shards");

        // The same command line for every shard; only the scheduler's variables differ (a Slurm array here runs 1-3).
        var processes = new List<Task<(int Exit, string Out, string Err)>>();
        for (int i = 0; i < 3; i++)
        {
            Dictionary<string, string> env = scheduler == "kubernetes"
                ? new() { [Shards.KubernetesIndex] = $"{i}" }
                : new() { [Shards.SlurmIndex] = $"{i + 1}", [Shards.SlurmMin] = "1", [Shards.SlurmCount] = "3" };
            processes.Add(Task.Run(() => ShardTests.RunProcess(env, ["compare", Trace, "-o", shards, "--shards", "3", "--threads", "1", .. options])));
        }

        foreach ((int exitCode, _, string err) in await Task.WhenAll(processes))
            Assert.True(exitCode == 0, err);
        for (int i = 0; i < 3; i++)
            Assert.True(File.Exists(Path.Combine(shards, $"compare-shard-{i:D4}-of-0003", "shard.json")), $"shard {i} wrote no shard.json");

        (int exit, string stdout, string stderr) = CliTests.Run("merge", shards, "-o", tmp.File("merged"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("Merged 3 compare shards", stdout, StringComparison.Ordinal);
        Assert.Equal(0, CliTests.Run(["compare", Trace, "-o", tmp.File("single"), "--threads", "2", .. options]).Exit);
        AssertSameOutputs(tmp.File("single"), tmp.File("merged"), policies: options.Contains("--policies"));

        // The merged run lists each shard's; the shards' probes add up to one process's.
        JsonObject run = JsonNode.Parse(File.ReadAllText(tmp.File("merged/comparison.json")))!["run"]!.AsObject();
        Assert.Equal(3, (int)run["shards"]!);
        Assert.Equal(3, run["shardRuns"]!.AsArray().Count);
        JsonObject singleRun = JsonNode.Parse(File.ReadAllText(tmp.File("single/comparison.json")))!["run"]!.AsObject();
        Assert.Equal((int)singleRun["probes"]!, run["shardRuns"]!.AsArray().Sum(r => (int)r!["probes"]!));
    }

    /// <summary>
    /// A trace that records a P10 guest mix: compare says so in its console headline, report.md and comparison.json (it
    /// applied the mix in every probe but never said so), its shards carry it to merge (format /2; a /1 shard is refused
    /// by name), and the warnings line points within the report ("see the report" inside report.md before); a hosts-needed
    /// search that stops at its limit names the option that raises it.
    /// </summary>
    [Fact]
    public void Compare_TraceWithAGuestMix_SaysSo_EverywhereAndThroughShards()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("guests.dmt");
        DmKernel.Traces.TraceGenerator.Generate(trace, new DmKernel.Traces.TraceGeneratorOptions
        {
            Vms = 60,
            Hosts = 2,
            Ticks = 120,
            Seed = 4,
            Guests = DmKernel.Traces.GuestMix.Parse("stuck=10%,rate:64=20%,intermittent:30/60=10%"),
        });
        string[] options = ["--seeds", "1", "--policies", "hyperv,squeezed"];
        (int exit, string stdout, string stderr) = CliTests.Run(["compare", trace, "-o", tmp.File("single"), .. options]);
        Assert.True(exit == 0, stderr);
        // The intermittent spells as they ran at the trace's 60-s ticks (P10's spells run in whole ticks; stop 54).
        const string Said = "Guests (P10, recorded in the trace, in every probe): 10 % of the VMs stuck (their balloon never moves), 20 % of the VMs slow (64 MB/s at most), 10 % of the VMs stuck 30 s, then ideal 60 s, in turn (at 60-s ticks: 1 tick, then 1).";
        Assert.Contains(Said, stdout, StringComparison.Ordinal);
        string report = File.ReadAllText(tmp.File("single/report.md"));
        Assert.Contains(Said, report, StringComparison.Ordinal);
        Assert.Contains("- **Guests** (P10): 10 % of the VMs stuck", report, StringComparison.Ordinal);
        Assert.Equal("stuck=10%,rate:64=20%,intermittent:30/60=10%", (string)JsonNode.Parse(File.ReadAllText(tmp.File("single/comparison.json")))!["guests"]!);
        Assert.Matches(@"\d+ warning\(s\): see report\.md\.", stdout);
        Assert.Matches(@"\d+ warning\(s\): see Warnings below\.", report);
        Assert.Contains("## Warnings", report, StringComparison.Ordinal);

        for (int i = 0; i < 2; i++)
            Assert.Equal(0, CliTests.Run(["compare", trace, "--shard", $"{i}/2", "-o", tmp.File("shards"), .. options]).Exit);
        (exit, _, stderr) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, stderr);
        AssertSameOutputs(tmp.File("single"), tmp.File("merged"), policies: true);

        // A shard written before the facts held the mix says so by name.
        string json = Path.Combine(tmp.File("shards"), "compare-shard-0001-of-0002", "shard.json");
        File.WriteAllText(json, File.ReadAllText(json).Replace(CompareShard.Format, "dmkernel-compare-shard/1", StringComparison.Ordinal));
        (exit, _, stderr) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged-old"));
        Assert.Equal(1, exit);
        Assert.Contains("was written by an older dmkernel (\"format\": \"dmkernel-compare-shard/1\", which does not record the trace's guest mix (P10)); run that shard again.", stderr, StringComparison.Ordinal);

        // An ideal trace says all ideal in the method, nothing in the headline.
        (exit, stdout, _) = CliTests.Run("compare", Trace, "-o", tmp.File("sample"), "--seeds", "1", "--max-ticks", "360", "--policies", "squeezed");
        Assert.Equal(0, exit);
        Assert.DoesNotContain("Guests (P10", stdout, StringComparison.Ordinal);
        Assert.Contains("- **Guests** (P10): all ideal (the trace records no mix)", File.ReadAllText(tmp.File("sample/report.md")), StringComparison.Ordinal);
        Assert.Equal("ideal", (string)JsonNode.Parse(File.ReadAllText(tmp.File("sample/comparison.json")))!["guests"]!);
        // Squeezed's periods as they ran at the sample's 60-s ticks (stop 54).
        Assert.Contains("| Xen squeezed | periodSeconds 10, targetFreeMb 9, stuckSeconds 5; at 60-s ticks periodSeconds 10 s runs as 1 tick (60 s), stuckSeconds 5 s as 1 tick (60 s) |", File.ReadAllText(tmp.File("sample/report.md")), StringComparison.Ordinal);
        Assert.Matches(@"Xen squeezed +\d+ VMs per host \([0-9.]+ × static provisioned\), [5-9] hosts;", stdout); // beyond the default limit of 4
        (exit, stdout, _) = CliTests.Run("compare", Trace, "-o", tmp.File("sample-limited"), "--seeds", "1", "--max-ticks", "360", "--policies", "squeezed", "--max-hosts", "4");
        Assert.Equal(0, exit);
        Assert.Contains("more than 4 hosts (the search's limit: raise --max-hosts)", stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// Shards of an imported trace, whose demand model gives each VM's measured usage, with VMs that want more than their
    /// Maximum merge to one process's outputs: report.md's unservable VMs keep their median usage through searches.json.
    /// </summary>
    [Fact]
    public void Shards_OfATraceWithUnservableVmsOfMeasuredUsage_MergeToTheSingleProcessOutputs()
    {
        using var tmp = new TempDir();
        // GCD usage samples, as shares of --vm-mb: two VMs at 15 times their size, eight at 40 %.
        for (int job = 1; job <= 10; job++)
            tmp.Write($"gcd/vm_{job}_1", string.Concat(Enumerable.Repeat(job <= 2 ? "10 1500\n" : "10 40\n", 288)));
        string trace = tmp.File("g.dmt");
        Assert.Equal(0, CliTests.Run("import", "gcd", tmp.File("gcd"), "--vm-mb", "1024", "--place-on-host-mb", "4096", "-o", trace).Exit);
        for (int i = 0; i < 2; i++)
            Assert.Equal(0, CliTests.Run("compare", trace, "--shard", $"{i}/2", "-o", tmp.File("shards"), "--seeds", "1").Exit);
        (int exit, _, string stderr) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, stderr);
        Assert.Equal(0, CliTests.Run("compare", trace, "-o", tmp.File("single"), "--seeds", "1").Exit);
        Assert.Contains("| vm_1 | 1024 MB | 15360 MB | 15360 MB | 100.0 % |", File.ReadAllText(tmp.File("single/report.md")), StringComparison.Ordinal);
        AssertSameOutputs(tmp.File("single"), tmp.File("merged"), policies: false);
    }

    private static string ShardsOfTheSample(TempDir tmp, string[]? extraForShard2 = null)
    {
        string shards = tmp.File("shards");
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, CliTests.Run(["compare", Trace, "--shard", $"{i}/3", "-o", shards, "--seeds", "1", "--max-ticks", "360", .. i == 2 ? extraForShard2 ?? [] : []]).Exit);
        return shards;
    }

    private static void AssertNothingWritten(string output)
        => Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(e => !Path.GetFileName(e).StartsWith(".staging", StringComparison.Ordinal)),
            "a refused merge wrote outputs");

    [Fact]
    public void Merge_MissingDuplicatedUnfinishedOrChangedCompareShard_IsRefusedNamingIt_NothingWritten()
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        string s0 = Path.Combine(shards, "compare-shard-0000-of-0003"), s1 = Path.Combine(shards, "compare-shard-0001-of-0003"), s2 = Path.Combine(shards, "compare-shard-0002-of-0003");
        string output = tmp.File("merged");

        ShardTests.AssertRefused("shard 2 of 3 missing", "merge", s0, s1, "-o", output);
        ShardTests.AssertRefused($"shard 1/3 is given twice: '{s1}' and '{s1}'", "merge", s0, s1, s1, s2, "-o", output);

        // A shard that did not finish has no shard.json.
        string unfinished = tmp.File("unfinished/compare-shard-0002-of-0003");
        Directory.CreateDirectory(unfinished);
        File.Copy(Path.Combine(s2, "searches.json"), Path.Combine(unfinished, "searches.json"));
        ShardTests.AssertRefused("has no shard.json: that shard did not finish", "merge", s0, s1, unfinished, "-o", output);

        // searches.json truncated or changed; shard.json truncated.
        string searches = Path.Combine(s1, "searches.json");
        byte[] original = File.ReadAllBytes(searches);
        File.WriteAllBytes(searches, original[..(original.Length / 2)]);
        ShardTests.AssertRefused($"'{searches}' is truncated: {original.Length / 2} bytes, the shard wrote {original.Length}", "merge", shards, "-o", output);
        original[^3] ^= 1;
        File.WriteAllBytes(searches, original);
        ShardTests.AssertRefused($"'{searches}' was changed after the shard wrote it", "merge", shards, "-o", output);
        original[^3] ^= 1;
        File.WriteAllBytes(searches, original);
        string json = Path.Combine(s2, "shard.json");
        string text = File.ReadAllText(json);
        File.WriteAllText(json, text[..(text.Length / 2)]);
        ShardTests.AssertRefused($"'{json}' is truncated or not JSON", "merge", shards, "-o", output);
        File.WriteAllText(json, text);

        AssertNothingWritten(output);
        Assert.Equal(0, CliTests.Run("merge", shards, "-o", output).Exit); // restored: the same shards merge
    }

    /// <summary>A compare shard's shard.json with a field of the wrong type or out of range names the file and field (before:
    /// "searches" as a string escaped as the runtime's InvalidOperationException).</summary>
    [Fact]
    public void Merge_CompareShardJsonWithABadField_IsRefusedNamingFileAndField()
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        string json = Path.Combine(shards, "compare-shard-0001-of-0003", "shard.json");
        string original = File.ReadAllText(json);
        var root = System.Text.Json.Nodes.JsonNode.Parse(original)!.AsObject();
        root["searches"] = "many";
        File.WriteAllText(json, root.ToJsonString());
        string output = tmp.File("merged");
        ShardTests.AssertRefused($"'{json}': searches is \"many\": expected a whole number from 1 to 2147483647", "merge", shards, "-o", output);

        root = System.Text.Json.Nodes.JsonNode.Parse(original)!.AsObject();
        root["ran"] = new System.Text.Json.Nodes.JsonArray(0, 99999);
        File.WriteAllText(json, root.ToJsonString());
        ShardTests.AssertRefused($"'{json}': ran[] is 99999: expected search numbers from 0 to ", "merge", shards, "-o", output);
        AssertNothingWritten(output);
    }

    /// <summary>
    /// A compare shard's searches.json edited and its checksum re-sealed in shard.json: options that differ from the other
    /// shards' (hostsPerProbe) or a probe's negative size are refused naming the file (before: merged with exit code 0).
    /// </summary>
    [Theory]
    [InlineData("hostsPerProbe", "records other options or facts than shard 0's")]
    [InlineData("peakAssignedMb", "peakAssignedMb is -4096: a probe's counts and sizes are at least 0")]
    public void Merge_CompareShardWithResealedImpossibleSearches_IsRefusedNamingIt(string field, string expected)
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        string dir = Path.Combine(shards, "compare-shard-0001-of-0003"), searches = Path.Combine(dir, CompareShard.SearchesJson);
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(searches))!;
        System.Text.Json.Nodes.JsonObject? holder = Find(root, field);
        Assert.NotNull(holder);
        holder[field] = field == "hostsPerProbe" ? holder[field]!.GetValue<int>() + 1 : -4096;
        File.WriteAllText(searches, root.ToJsonString());
        ShardTests.Reseal(dir, CompareShard.SearchesJson);

        string output = tmp.File("merged");
        ShardTests.AssertRefused($"'{searches}'", "merge", shards, "-o", output);
        ShardTests.AssertRefused(expected, "merge", shards, "-o", output);
        AssertNothingWritten(output);

        static System.Text.Json.Nodes.JsonObject? Find(System.Text.Json.Nodes.JsonNode? node, string name) => node switch
        {
            System.Text.Json.Nodes.JsonObject o when o.ContainsKey(name) => o,
            System.Text.Json.Nodes.JsonObject o => o.Select(kv => Find(kv.Value, name)).FirstOrDefault(f => f is not null),
            System.Text.Json.Nodes.JsonArray a => a.Select(v => Find(v, name)).FirstOrDefault(f => f is not null),
            _ => null,
        };
    }

    [Fact]
    public void Merge_CompareShardsWithOtherOptions_OtherCounts_OrReplayShards_AreRefusedNamingTheDifference()
    {
        using var tmp = new TempDir();
        string output = tmp.File("merged");
        string shards = ShardsOfTheSample(tmp, ["--seed", "7"]);
        ShardTests.AssertRefused("shard 2 (", "merge", shards, "-o", output);
        ShardTests.AssertRefused("was compared from another trace or with other options than shard 0", "merge", shards, "-o", output);
        ShardTests.AssertRefused("--seed 7 in shard 2, 1 in shard 0", "merge", shards, "-o", output);

        // Another span of the trace (another --max-ticks) is named too.
        Assert.Equal(0, CliTests.Run("compare", Trace, "--shard", "2/3", "-o", tmp.File("other"), "--seeds", "1", "--max-ticks", "300").Exit);
        string s0 = Path.Combine(shards, "compare-shard-0000-of-0003"), s1 = Path.Combine(shards, "compare-shard-0001-of-0003");
        ShardTests.AssertRefused("ticks compared (the trace's, or --max-ticks) 300 in shard 2, 360 in shard 0", "merge", s0, s1, Path.Combine(tmp.File("other"), "compare-shard-0002-of-0003"), "-o", output);

        // --max-ticks of the whole trace (the sample's 1440 ticks) is the whole trace: such a shard merges with shards run
        // without it (before stop 54: refused as "--max-ticks 1440 in shard 2, (the whole trace) in shard 0"). And --buffers
        // is named as typed, not as the strategy list it makes.
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, CliTests.Run(["compare", Trace, "--shard", $"{i}/3", "-o", tmp.File("whole"), "--seeds", "1", .. i == 2 ? (string[])["--max-ticks", "1440"] : []]).Exit);
        Assert.Equal(0, CliTests.Run("merge", tmp.File("whole"), "-o", tmp.File("whole-merged")).Exit);
        Assert.Equal(0, CliTests.Run("compare", Trace, "--shard", "2/3", "-o", tmp.File("buffers"), "--seeds", "1", "--max-ticks", "360", "--buffers", "20").Exit);
        ShardTests.AssertRefused("--buffers 20 in shard 2, 10,50 in shard 0", "merge", s0, s1, Path.Combine(tmp.File("buffers"), "compare-shard-0002-of-0003"), "-o", output);

        // Another count of shards; a replay shard among compare shards.
        Assert.Equal(0, CliTests.Run("compare", Trace, "--shard", "1/2", "-o", tmp.File("two"), "--seeds", "1", "--max-ticks", "360").Exit);
        ShardTests.AssertRefused("shards of different splits", "merge", s0, Path.Combine(tmp.File("two"), "compare-shard-0001-of-0002"), "-o", output);
        Assert.Equal(0, CliTests.Run("split", Trace, "--shards", "3", "-o", tmp.File("split")).Exit);
        Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", "1/3", "-o", tmp.File("replay"), "--max-ticks", "50").Exit);
        ShardTests.AssertRefused("is a shard of compare,", "merge", s0, Path.Combine(tmp.File("replay"), "shard-0001-of-0003"), "-o", output);
        AssertNothingWritten(output);
    }

    /// <summary>
    /// merge writes the slowest shard's wall time in report.md (docs/cluster.md: what the comparison took with its shards
    /// side by side) and lists each shard's run under its own index, in shard order, whatever order they were named in.
    /// </summary>
    [Fact]
    public void Merge_ReportsTheSlowestShardsWallTime_AndEachShardsRunUnderItsIndex()
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        double[] seconds = [3.25, 12.5, 7.0];
        for (int i = 0; i < 3; i++)
        {
            string json = Path.Combine(shards, $"compare-shard-{i:D4}-of-0003", "shard.json");
            JsonObject root = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
            root["run"]!["wallSeconds"] = seconds[i];
            File.WriteAllText(json, root.ToJsonString());
        }

        (int exit, _, string stderr) = CliTests.Run("merge", Path.Combine(shards, "compare-shard-0002-of-0003"), Path.Combine(shards, "compare-shard-0000-of-0003"),
            Path.Combine(shards, "compare-shard-0001-of-0003"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, stderr);
        Assert.Matches(@"(?m)^- \d+ probes?, \d+ (?:M )?VM-ticks?, 12\.5 s\.$", File.ReadAllText(tmp.File("merged/report.md")));
        JsonArray runs = JsonNode.Parse(File.ReadAllText(tmp.File("merged/comparison.json")))!["run"]!["shardRuns"]!.AsArray();
        Assert.Equal([0, 1, 2], runs.Select(r => (int)r!["shard"]!));
        Assert.Equal(seconds, runs.Select(r => (double)r!["wallSeconds"]!));
    }

    /// <summary>A compare shard whose shard.json lists other searches than its searches.json holds (a search left out of
    /// "ran") is refused naming the file (docs/cluster.md), nothing written.</summary>
    [Fact]
    public void Merge_CompareShardJsonListingOtherSearchesThanItsResults_IsRefused()
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        string dir = Path.Combine(shards, "compare-shard-0001-of-0003"), json = Path.Combine(dir, "shard.json");
        JsonObject root = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        JsonArray ran = root["ran"]!.AsArray();
        Assert.True(ran.Count > 1, "shard 1 should run searches");
        ran.RemoveAt(ran.Count - 1);
        File.WriteAllText(json, root.ToJsonString());
        string output = tmp.File("merged");
        ShardTests.AssertRefused($"'{Path.Combine(dir, "searches.json")}' does not hold the searches its shard.json lists; run that shard again.", "merge", shards, "-o", output);
        AssertNothingWritten(output);
    }

    /// <summary>
    /// Shards run with other --threads or --path, which change no result (the fingerprint leaves them out; --threads
    /// defaults to every core, so shards on machines of other sizes differ in it), merge to one process's outputs (before:
    /// merge refused them as "other options or facts" than shard 0's, searches.json recording both).
    /// </summary>
    [Fact]
    public void Shards_RunWithOtherThreadsOrKernelPaths_MergeToTheSingleProcessOutputs()
    {
        using var tmp = new TempDir();
        string[][] own = [["--threads", "2"], ["--threads", "1"], ["--threads", "1", "--path", "scalar"]];
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, CliTests.Run(["compare", Trace, "--shard", $"{i}/3", "-o", tmp.File("shards"), "--seeds", "1", "--max-ticks", "360", .. own[i]]).Exit);
        (int exit, _, string stderr) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, stderr);
        Assert.Equal(0, CliTests.Run("compare", Trace, "-o", tmp.File("single"), "--seeds", "1", "--max-ticks", "360").Exit);
        AssertSameOutputs(tmp.File("single"), tmp.File("merged"), policies: false);
    }

    /// <summary>Shards compared at another --paging-limit are refused naming the option and both values (the fingerprint
    /// holds every option that changes a result).</summary>
    [Fact]
    public void Merge_CompareShardsAtAnotherPagingLimit_AreRefusedNamingIt()
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp, ["--paging-limit", "0.02"]);
        ShardTests.AssertRefused("--paging-limit 0.02 in shard 2, 0.01 in shard 0", "merge", shards, "-o", tmp.File("merged"));
        AssertNothingWritten(tmp.File("merged"));
    }

    /// <summary>Shards of a comparison with --max-hosts (a hosts-needed search that stops at its limit) merge to one
    /// process's outputs: the limit travels through searches.json.</summary>
    [Fact]
    public void Shards_WithMaxHosts_MergeToTheSingleProcessOutputs()
    {
        using var tmp = new TempDir();
        string[] options = ["--seeds", "1", "--max-ticks", "360", "--policies", "squeezed", "--max-hosts", "4"];
        for (int i = 0; i < 2; i++)
            Assert.Equal(0, CliTests.Run(["compare", Trace, "--shard", $"{i}/2", "-o", tmp.File("shards"), .. options]).Exit);
        (int exit, _, string stderr) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, stderr);
        Assert.Equal(0, CliTests.Run(["compare", Trace, "-o", tmp.File("single"), .. options]).Exit);
        AssertSameOutputs(tmp.File("single"), tmp.File("merged"), policies: true);
        Assert.Contains("more than 4 hosts", File.ReadAllText(tmp.File("merged/report.md")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3/3", "--shard 3/3: shard 3 does not exist: shards of 3 are numbered 0..2.")]
    [InlineData("x", "--shard 'x': expected INDEX/COUNT with whole numbers")]
    public void Compare_BadShard_ExitsTwoNamingTheOption_NothingWritten(string shard, string expected)
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = CliTests.Run("compare", Trace, "--shard", shard, "-o", tmp.File("out"), "--seeds", "1");
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: {expected}", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("out")));
    }

    [Fact]
    public void Compare_InAJobArrayWithoutShardOptions_StaysOneWholeComparison_WithShardsTakesTheIndex()
    {
        using var tmp = new TempDir();
        var env = new Dictionary<string, string> { [Shards.KubernetesIndex] = "1", [Shards.SlurmIndex] = "2", [Shards.SlurmCount] = "3" };
        (int exit, _, string stderr) = ShardTests.RunProcess(env, "compare", Trace, "-o", tmp.File("plain"), "--seeds", "1", "--max-ticks", "120");
        Assert.True(exit == 0, stderr);
        Assert.True(File.Exists(tmp.File("plain/comparison.json")));
        (exit, _, stderr) = ShardTests.RunProcess(new Dictionary<string, string> { [Shards.KubernetesIndex] = "1" }, "compare", Trace, "-o", tmp.File("sharded"), "--shards", "2", "--seeds", "1", "--max-ticks", "120");
        Assert.True(exit == 0, stderr);
        Assert.True(File.Exists(tmp.File("sharded/compare-shard-0001-of-0002/shard.json")));
        (exit, _, stderr) = ShardTests.RunProcess(new Dictionary<string, string>(), "compare", Trace, "-o", tmp.File("none"), "--shards", "2", "--seeds", "1");
        Assert.Equal(2, exit);
        Assert.Contains("--shards gives 2 shards but not which one this is", stderr, StringComparison.Ordinal);
    }
}
