using System.Diagnostics;
using DmKernel.Cli.Commands;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;
using DmKernel.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// split, replay --shard and merge: shards replayed as separate processes (the index from the scheduler's variable, as
/// a Kubernetes Indexed Job or a Slurm array sets it) merge to exactly one process's outputs; bad shards are refused by name.
/// </summary>
[Collection(nameof(CliTests))]
public class ShardTests
{
    /// <summary>Where a shard's series.bin holds its first tick: after the magic (length-prefixed) and the host count.</summary>
    private static readonly int SeriesFirstTickAt = 1 + ShardReplay.SeriesMagic.Length + 4;

    private static readonly string[] Outputs = ["hosts.csv", "fleet.csv", "placement.csv", "report.md", "fleet.png", "pressure.png", "hosts.png"];

    /// <summary>Runs the CLI as its own process with <paramref name="env"/> set (and every scheduler variable not in it removed).</summary>
    internal static (int Exit, string Out, string Err) RunProcess(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DmKernel.Cli.dll"));
        foreach (string a in args)
            start.ArgumentList.Add(a);
        foreach (string name in (string[])[Shards.KubernetesIndex, Shards.SlurmIndex, Shards.SlurmMin, Shards.SlurmCount])
            start.Environment.Remove(name);
        foreach (KeyValuePair<string, string> kv in env)
            start.Environment[kv.Key] = kv.Value;
        using Process p = Process.Start(start)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Asserts that <paramref name="merged"/> holds exactly <paramref name="single"/>'s outputs (summary.json outside run).</summary>
    private static void AssertSameOutputs(string single, string merged)
    {
        Assert.Equal(ReplayDeterminismTests.WithoutRun(File.ReadAllText(Path.Combine(single, "summary.json"))),
            ReplayDeterminismTests.WithoutRun(File.ReadAllText(Path.Combine(merged, "summary.json"))));
        foreach (string name in Outputs)
            Assert.True(File.ReadAllBytes(Path.Combine(single, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(merged, name))), $"{name} differs");
    }

    [Theory]
    [InlineData("kubernetes")]
    [InlineData("slurm")]
    public async Task Shards_AsSeparateProcesses_WithTheSchedulersIndex_MergeToTheSingleProcessOutputs(string scheduler)
    {
        using var tmp = new TempDir();
        string split = tmp.File("split"), shards = tmp.File("shards");
        Assert.Equal(0, CliTests.Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "4", "-o", split).Exit);

        // The same command line for every shard; only the scheduler's variables differ (a Slurm array here runs 1-4).
        var processes = new List<Task<(int Exit, string Out, string Err)>>();
        for (int i = 0; i < 4; i++)
        {
            Dictionary<string, string> env = scheduler == "kubernetes"
                ? new() { [Shards.KubernetesIndex] = $"{i}" }
                : new() { [Shards.SlurmIndex] = $"{i + 1}", [Shards.SlurmMin] = "1", [Shards.SlurmCount] = "4" };
            processes.Add(Task.Run(() => RunProcess(env, "replay", split, "-o", shards, "--hash-every", "240")));
        }

        foreach ((int exitCode, _, string err) in await Task.WhenAll(processes))
            Assert.True(exitCode == 0, err);
        for (int i = 0; i < 4; i++)
            Assert.True(File.Exists(Path.Combine(shards, $"shard-{i:D4}-of-0004", "shard.json")), $"shard {i} wrote no shard.json");

        (int exit, string stdout, string stderr) = CliTests.Run("merge", shards, "-o", tmp.File("merged"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("Merged 4 shards: 200 VMs on 4 hosts for 1440 ticks", stdout, StringComparison.Ordinal);
        Assert.Equal(0, CliTests.Run("replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("single"), "--hash-every", "240").Exit);
        AssertSameOutputs(tmp.File("single"), tmp.File("merged"));
    }

    [Fact]
    public void Shards_OfATraceWithChurnAndInterleavedHosts_MergeToTheSingleProcessOutputs()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("gen.dmt");
        // VM i on host i mod 9: every shard's VMs are scattered through the trace; arrivals and departures; some paging.
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 700, Hosts = 9, Ticks = 240, Seed = 99, TickSeconds = 30, HostHeadroom = 1.0 });
        Assert.Equal(0, CliTests.Run("split", trace, "-n", "3", "-o", tmp.File("split")).Exit);
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", $"{i}/3", "-o", tmp.File("shards"), "--hash-every", "50", "--host-series-every", "7").Exit);
        // Shards named one by one, in any order, merge the same.
        (int exit, _, string err) = CliTests.Run("merge", Path.Combine(tmp.File("shards"), "shard-0002-of-0003"), Path.Combine(tmp.File("shards"), "shard-0000-of-0003"),
            Path.Combine(tmp.File("shards"), "shard-0001-of-0003"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, err);
        Assert.Equal(0, CliTests.Run("replay", trace, "-o", tmp.File("single"), "--hash-every", "50", "--host-series-every", "7").Exit);
        System.Text.Json.Nodes.JsonNode summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(tmp.File("single/summary.json")))!;
        Assert.True((double)summary["fleet"]!["pagingVmSeconds"]! > 0, "the trace should make some VMs page");
        Assert.Equal(4, summary["stateHashes"]!.AsArray().Count);
        AssertSameOutputs(tmp.File("single"), tmp.File("merged"));
        // run lists each shard's run under its own index, in shard order, whatever the order they were named in.
        System.Text.Json.Nodes.JsonNode run = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(tmp.File("merged/summary.json")))!["run"]!;
        Assert.Equal(3, (int)run["shards"]!);
        Assert.Equal([0, 1, 2], run["shardRuns"]!.AsArray().Select(r => (int)r!["shard"]!));
    }

    /// <summary>
    /// A trace on hosts too small for its VMs (40 VMs on hosts of 32 GB): starts are denied on every shard's
    /// hosts, and the merged totals (denied VM-time, failed starts) are the sums over all shards, as one process counts them.
    /// </summary>
    [Fact]
    public void Shards_OfATraceWithDeniedStartsOnEveryShard_MergeToTheSingleProcessOutputs()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("tight.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 120, Hosts = 3, Ticks = 120, Seed = 8, TickSeconds = 60, HostMb = 32768 });
        Assert.Equal(0, CliTests.Run("split", trace, "-n", "3", "-o", tmp.File("split")).Exit);
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", $"{i}/3", "-o", tmp.File("shards")).Exit);
        for (int i = 0; i < 3; i++)
        {
            System.Text.Json.Nodes.JsonNode totals = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("shards"), $"shard-{i:D4}-of-0003", "shard.json")))!["totals"]!;
            Assert.True((long)totals["deniedVmTicks"]! > 0, $"shard {i} should have denied VM-ticks");
        }

        (int exit, _, string err) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, err);
        Assert.Equal(0, CliTests.Run("replay", trace, "-o", tmp.File("single")).Exit);
        AssertSameOutputs(tmp.File("single"), tmp.File("merged"));
    }

    [Theory]
    [InlineData("esx:idleTaxPerMille=0")]
    [InlineData("squeezed:targetFreeMb=64")]
    [InlineData("mom")]
    public void Shards_UnderAnotherPolicy_MergeToTheSingleProcessOutputs_PolicyAndParametersIncluded(string policy)
    {
        using var tmp = new TempDir();
        Assert.Equal(0, CliTests.Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "2", "-o", tmp.File("split")).Exit);
        for (int i = 0; i < 2; i++)
            Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", $"{i}/2", "-o", tmp.File("shards"), "--max-ticks", "300", "--policy", policy).Exit);
        (int exit, _, string err) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, err);
        Assert.Equal(0, CliTests.Run("replay", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("single"), "--max-ticks", "300", "--policy", policy).Exit);
        AssertSameOutputs(tmp.File("single"), tmp.File("merged"));
        // The merged summary names the policy the shards ran, not the default.
        string key = policy.Split(':')[0];
        System.Text.Json.Nodes.JsonNode summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(tmp.File("merged/summary.json")))!;
        Assert.Contains(key, summary["policy"]!.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        // report.md: the policy's name, then every parameter it ran with (the one given included).
        BalancerPolicy ran = BalancerPolicy.Parse(policy);
        string parameters = string.Join(", ", ran.Parameters().Select(kv => $"{kv.Key} {kv.Value}"));
        Assert.Contains($"Balancer policy: {BalancerPolicy.Of(ran.Kind).Name} ({parameters})", File.ReadAllText(tmp.File("merged/report.md")), StringComparison.Ordinal);
        foreach (string given in policy.Split(':').Skip(1))
            Assert.Contains(given.Replace('=', ' '), parameters, StringComparison.Ordinal);
    }

    /// <summary>Three shards of the sample, replayed in-process, for the bad-input cases.</summary>
    private static string ShardsOfTheSample(TempDir tmp, params string[] extraForShard2)
    {
        string split = tmp.File("split"), shards = tmp.File("shards");
        Assert.Equal(0, CliTests.Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "3", "-o", split).Exit);
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, CliTests.Run(["replay", split, "--shard", $"{i}/3", "-o", shards, "--max-ticks", "200", .. i == 2 ? extraForShard2 : []]).Exit);
        return shards;
    }

    /// <summary>Records <paramref name="file"/>'s present length and checksum in its shard's shard.json, as an edit that re-seals would.</summary>
    internal static void Reseal(string shardDir, string file)
    {
        string json = Path.Combine(shardDir, "shard.json");
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!;
        (long length, string hash) = ShardReplay.Checksum(Path.Combine(shardDir, file));
        root["files"]![file]!["bytes"] = length;
        root["files"]![file]!["xxhash64"] = hash;
        File.WriteAllText(json, root.ToJsonString());
    }

    internal static void AssertRefused(string expected, params string[] args)
    {
        (int exit, string stdout, string stderr) = CliTests.Run(args);
        Assert.Equal(1, exit);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("Merged", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_MissingDuplicatedTruncatedOrChangedShard_IsRefusedNamingIt_NothingWritten()
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        string s0 = Path.Combine(shards, "shard-0000-of-0003"), s1 = Path.Combine(shards, "shard-0001-of-0003"), s2 = Path.Combine(shards, "shard-0002-of-0003");
        string output = tmp.File("merged");

        AssertRefused("shard 2 of 3 missing", "merge", s0, s1, "-o", output);
        AssertRefused($"shard 1/3 is given twice: '{s1}' and '{s1}'", "merge", s0, s1, s1, s2, "-o", output);

        // A shard that did not finish has no shard.json.
        string unfinished = tmp.File("unfinished/shard-0002-of-0003");
        Directory.CreateDirectory(unfinished);
        AssertRefused("has no shard.json: that shard did not finish", "merge", s0, s1, unfinished, "-o", output);

        // Truncated outputs: a data file, and shard.json itself.
        string hosts = Path.Combine(s1, "hosts.csv");
        byte[] original = File.ReadAllBytes(hosts);
        File.WriteAllBytes(hosts, original[..(original.Length / 2)]);
        AssertRefused($"'{hosts}' is truncated: {original.Length / 2} bytes, the shard wrote {original.Length}", "merge", shards, "-o", output);
        original[^3] ^= 1;
        File.WriteAllBytes(hosts, original);
        AssertRefused($"'{hosts}' was changed after the shard wrote it", "merge", shards, "-o", output);
        original[^3] ^= 1;
        File.WriteAllBytes(hosts, original);
        string json = Path.Combine(s2, "shard.json");
        string text = File.ReadAllText(json);
        File.WriteAllText(json, text[..(text.Length / 2)]);
        AssertRefused($"'{json}' is truncated or not JSON", "merge", shards, "-o", output);
        File.WriteAllText(json, text);

        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(e => !Path.GetFileName(e).StartsWith(".staging", StringComparison.Ordinal)),
            "a refused merge wrote outputs");
        Assert.Equal(0, CliTests.Run("merge", shards, "-o", output).Exit); // restored: the same shards merge
    }

    /// <summary>
    /// Many shards missing are listed as ranges (before: every index, 290 numbers on one line for a 300-shard split
    /// given ten shards), the shards found likewise (0-2 here).
    /// </summary>
    [Fact]
    public void Merge_ManyShardsMissing_ListsThemAsRanges()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("t.dmt"), split = tmp.File("split"), shards = tmp.File("shards");
        Assert.Equal(0, CliTests.Run("generate", "--vms", "16", "--hosts", "8", "--ticks", "3", "-o", trace).Exit);
        Assert.Equal(0, CliTests.Run("split", trace, "--shards", "8", "-o", split).Exit);
        foreach (int i in (int[])[0, 1, 2, 6])
            Assert.Equal(0, CliTests.Run("replay", split, "--shard", $"{i}/8", "-o", shards).Exit);
        AssertRefused("shards 3-5, 7 of 8 missing: the merge needs every shard (found 4: 0-2, 6).", "merge", shards, "-o", tmp.File("merged"));
    }

    /// <summary>
    /// A merge of more shards than the process may hold files open (a hard limit, ulimit -n, below the shard count) says
    /// why it needs them all at once and what to raise, and writes nothing; before: .NET's "Too many open files" naming
    /// one shard's series.bin. The CLI runs as its own process under the shell's ulimit (the runtime itself needs about 60
    /// descriptors and runs at 100).
    /// </summary>
    [Fact]
    public void Merge_MoreShardsThanFilesThisProcessMayOpen_SaysWhatToRaise_NothingWritten()
    {
        if (OperatingSystem.IsWindows())
            return; // no ulimit; Windows has no per-process limit of this size
        using var tmp = new TempDir();
        string trace = tmp.File("t.dmt"), split = tmp.File("split"), shards = tmp.File("shards"), merged = tmp.File("merged");
        const int Count = 110;
        Assert.Equal(0, CliTests.Run("generate", "--vms", $"{2 * Count}", "--hosts", $"{Count}", "--ticks", "3", "-o", trace).Exit);
        Assert.Equal(0, CliTests.Run("split", trace, "--shards", $"{Count}", "-o", split).Exit);
        for (int i = 0; i < Count; i++)
            Assert.Equal(0, CliTests.Run("replay", split, "--shard", $"{i}/{Count}", "-o", shards).Exit);
        (int exit, string err) = CliShell.Run("ulimit -n 100 && exec dotnet \"$@\"", [], null, "merge", shards, "-o", merged);
        Assert.Equal(1, exit);
        Assert.Matches($"^error: Too many open files : '[^']*/shard-0[0-9]{{3}}-of-0{Count}/series.bin': merge reads the {Count} shards' series.bin, hosts.csv and placement.csv side by side, so it holds {Count} files open at once, more than this process may open \\(ulimit -n: .*\\). Raise the limit .* and merge again; nothing was written.\n$", err);
        Assert.False(Directory.Exists(merged) && Directory.EnumerateFileSystemEntries(merged).Any(), "a refused merge wrote into its output folder");
        Assert.Equal(0, CliTests.Run("merge", shards, "-o", merged).Exit); // the same shards merge without the limit
    }

    /// <summary>
    /// A series.bin damaged and its checksum re-sealed in shard.json (or written so by a bug): a host in a bin past 100 %
    /// (before: IndexOutOfRangeException escaped the merge), counts that do not add up to the shard's hosts, negative
    /// memory, bytes after the end (before: merged with exit code 0) are refused naming the file and what it holds.
    /// </summary>
    [Theory]
    [InlineData("bin", "puts")]
    [InlineData("count", "hosts in ")]
    [InlineData("assigned", "reads assigned -")]
    [InlineData("paging", " paging of ")]
    [InlineData("trailing", "bytes follow the end of the series")]
    public void Merge_SeriesWithValuesNoReplayWrites_ChecksumResealed_IsRefusedNamingIt(string damage, string expected)
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        string dir = Path.Combine(shards, "shard-0001-of-0003"), series = Path.Combine(dir, ShardReplay.SeriesBin);
        byte[] bytes = File.ReadAllBytes(series);
        int firstTick = SeriesFirstTickAt;
        int assignedAt = firstTick + 1 + 8, binsAt = firstTick + 1 + 4 * 8 + 3 * 4 + 1; // (more, tick, ...; used, then bin, count)
        switch (damage)
        {
            case "bin":
                bytes[binsAt] = 200;
                break;
            case "count":
                BitConverter.TryWriteBytes(bytes.AsSpan(binsAt + 1), BitConverter.ToInt32(bytes, binsAt + 1) + 1);
                break;
            case "assigned":
                BitConverter.TryWriteBytes(bytes.AsSpan(assignedAt), -4096L);
                break;
            case "paging":
                // More VMs paging than VMs on (after assigned, demand and available: paging, then on).
                int pagingAt = assignedAt + (3 * 8);
                BitConverter.TryWriteBytes(bytes.AsSpan(pagingAt), BitConverter.ToInt32(bytes, pagingAt + 4) + 1);
                break;
            default:
                bytes = [.. bytes, 7, 7];
                break;
        }

        File.WriteAllBytes(series, bytes);
        Reseal(dir, ShardReplay.SeriesBin);

        AssertMergeRefusedWritingNothing(tmp, shards, $"'{series}' holds values no replay writes", expected);
    }

    /// <summary>
    /// Where a series.bin written without state-hash ticks and without pressures above the last bin (both asserted) holds
    /// its pressure bins and its host-available bins, each a count and then the bins.
    /// </summary>
    private static (int Pressure, int Available) HistogramsAt(byte[] series, int hosts)
    {
        // The series ends with the pressure bins, the host-available bins, the pressures above the last bin (their count,
        // then each), each host's state hash, and the count of state-hash ticks.
        Assert.Equal(0, BitConverter.ToInt32(series, series.Length - 4));
        int aboveAt = series.Length - 4 - (8 * hosts) - 4, availableAt = aboveAt - (4 + (8 * 101)), pressureAt = availableAt - (4 + (8 * 1001));
        Assert.Equal(0, BitConverter.ToInt32(series, aboveAt));
        Assert.Equal(101, BitConverter.ToInt32(series, availableAt));
        Assert.Equal(1001, BitConverter.ToInt32(series, pressureAt));
        return (pressureAt, availableAt);
    }

    /// <summary>
    /// shard.json records the maxima of its histograms (docs/cluster.md), the pressure's and the host-available
    /// percentage's: the highest bin of each that its series.bin holds samples in.
    /// </summary>
    [Fact]
    public void ShardJson_RecordsTheMaximaOfItsSeriesHistograms()
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        var maxima = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            string dir = Path.Combine(shards, $"shard-{i:D4}-of-0003");
            var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "shard.json")))!;
            byte[] bytes = File.ReadAllBytes(Path.Combine(dir, ShardReplay.SeriesBin));
            (int pressureAt, int availableAt) = HistogramsAt(bytes, root["hosts"]!.GetValue<int>());
            int Top(int at, int bins) => Enumerable.Range(0, bins).Last(b => BitConverter.ToInt64(bytes, at + 4 + (8 * b)) != 0);
            Assert.Equal(Top(pressureAt, 1001), root["pressure"]!["max"]!.GetValue<int>());
            Assert.Equal(Top(availableAt, 101), root["hostAvailablePercent"]!["max"]!.GetValue<int>());
            maxima.Add(root["hostAvailablePercent"]!["max"]!.GetValue<int>());
        }

        Assert.Contains(maxima, m => m < 100); // what the sample should show: hosts that never stand empty
    }

    /// <summary>
    /// A series.bin whose pressure histogram holds one sample in a bin above shard.json's pressure.max (checksum re-sealed)
    /// is refused as one with many samples there is: the check takes the highest bin holding any sample.
    /// </summary>
    [Fact]
    public void Merge_SeriesWithOnePressureSampleAboveShardJsonsMaximum_ChecksumResealed_IsRefused()
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        string dir = Path.Combine(shards, "shard-0001-of-0003"), series = Path.Combine(dir, ShardReplay.SeriesBin);
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "shard.json")))!;
        int hosts = root["hosts"]!.GetValue<int>(), max = root["pressure"]!["max"]!.GetValue<int>();
        Assert.True(max < 900, $"the shard's pressure maximum is {max}");
        byte[] bytes = File.ReadAllBytes(series);
        int binAt = HistogramsAt(bytes, hosts).Pressure + 4 + (8 * 900);
        Assert.Equal(0, BitConverter.ToInt64(bytes, binAt));
        BitConverter.TryWriteBytes(bytes.AsSpan(binAt), 1L);
        File.WriteAllBytes(series, bytes);
        Reseal(dir, ShardReplay.SeriesBin);

        AssertMergeRefusedWritingNothing(tmp, shards, $"'{Path.Combine(dir, "shard.json")}': pressure.max {max} and hostAvailablePercent.max ",
            "but its series.bin holds samples up to 900 % and ");
    }

    /// <summary>
    /// Shards that disagree with each other though each looks whole (checksums re-sealed, or shard.json edited): series of
    /// other ticks or lengths, hosts.csv files of other lengths, VMs and hosts that do not add up to the trace's, are
    /// refused with exit 1 and nothing written, instead of merged into one replay's outputs.
    /// </summary>
    [Theory]
    [InlineData("series tick", "the shards' series disagree on the tick (0 and 5): they come from different replays.")]
    [InlineData("series length", "the shards' series have different lengths (")]
    [InlineData("hosts.csv length", "the shards' hosts.csv files hold different numbers of ticks: they come from different replays.")]
    [InlineData("hash count", "the shards recorded different numbers of state hashes ('")]
    [InlineData("trace vms", "the 3 shards hold 200 VMs on 4 hosts; the trace has 201 on 4: split the trace again and replay every shard.")]
    public void Merge_ShardsThatDisagreeWithEachOther_AreRefused_NothingWritten(string damage, string expected)
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        string dir = Path.Combine(shards, "shard-0001-of-0003");
        int firstTick = SeriesFirstTickAt;
        switch (damage)
        {
            case "series tick":
            case "series length":
                {
                    string series = Path.Combine(dir, ShardReplay.SeriesBin);
                    byte[] bytes = File.ReadAllBytes(series);
                    Assert.Equal(1, bytes[firstTick]); // "more": a tick follows
                    if (damage == "series tick")
                        BitConverter.TryWriteBytes(bytes.AsSpan(firstTick + 1), 5L);
                    else
                        bytes[firstTick] = 0; // the series ends before its first tick
                    File.WriteAllBytes(series, bytes);
                    Reseal(dir, ShardReplay.SeriesBin);
                    break;
                }

            case "hash count":
                {
                    // The series ends with its count of state-hash ticks, 0 here (no --hash-every); this shard's says 1.
                    string series = Path.Combine(dir, ShardReplay.SeriesBin);
                    byte[] bytes = File.ReadAllBytes(series);
                    Assert.Equal(0, BitConverter.ToInt32(bytes, bytes.Length - 4));
                    BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 4), 1);
                    File.WriteAllBytes(series, bytes);
                    Reseal(dir, ShardReplay.SeriesBin);
                    break;
                }

            case "hosts.csv length":
                {
                    // The shard's rows of its last sampled tick dropped.
                    string hosts = Path.Combine(dir, ShardReplay.HostsCsv);
                    string[] lines = File.ReadAllLines(hosts);
                    string lastTick = lines[^1].Split(',')[0];
                    File.WriteAllLines(hosts, lines.Where((l, i) => i == 0 || l.Split(',')[0] != lastTick));
                    Reseal(dir, ShardReplay.HostsCsv);
                    break;
                }

            default:
                foreach (string d in Directory.EnumerateDirectories(shards))
                {
                    string json = Path.Combine(d, "shard.json");
                    var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!.AsObject();
                    root["trace"]!["vms"] = 201;
                    File.WriteAllText(json, root.ToJsonString());
                }

                break;
        }

        string output = tmp.File("merged");
        AssertRefused(expected, "merge", shards, "-o", output);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(e => !Path.GetFileName(e).StartsWith(".staging", StringComparison.Ordinal)),
            "a refused merge wrote outputs");
    }

    /// <summary>merge stops at a cancelled token (the CLI's Ctrl+C or SIGTERM) with exit code 130, writing nothing (before:
    /// it ignored the signal and ran to the end).</summary>
    [Fact]
    public void Merge_Cancelled_ExitsWith130_WritingNothing()
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp), output = tmp.File("merged");
        TextWriter oldErr = Console.Error;
        var err = new StringWriter();
        Console.SetError(err);
        int exit;
        try
        {
            exit = MergeCommand.Run([shards], output, new CancellationToken(canceled: true));
        }
        finally
        {
            Console.SetError(oldErr);
        }

        Assert.Equal(130, exit);
        Assert.Contains("Interrupted; no merged output was written", err.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(output), "an interrupted merge left its output folder");
        Assert.Equal(0, CliTests.Run("merge", shards, "-o", output).Exit); // the same shards merge when not interrupted
    }

    /// <summary>400 VMs on 6 tight hosts with a P10 mix, at TMP/guests.dmt, split into 3 shards at TMP/split.</summary>
    private static string SplitTraceWithGuests(TempDir tmp, int ticks, double tickSeconds, string guests)
    {
        string trace = tmp.File("guests.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions
        {
            Vms = 400,
            Hosts = 6,
            Ticks = ticks,
            Seed = 3,
            TickSeconds = tickSeconds,
            HostHeadroom = 1.0,
            Guests = GuestMix.Parse(guests),
        });
        Assert.Equal(0, CliTests.Run("split", trace, "-n", "3", "-o", tmp.File("split")).Exit);
        return trace;
    }

    /// <summary>
    /// Shards of a trace that records a mix of guest responses (P10) merge to exactly one process's outputs: each shard
    /// draws a VM's response from its index in the whole trace (before: from its index in the shard, so the shards gave
    /// the slow and stuck guests to other VMs, and the merged paging and state hash differed, with exit code 0).
    /// </summary>
    [Fact]
    public void Shards_OfATraceWithAGuestMix_MergeToTheSingleProcessOutputs()
    {
        using var tmp = new TempDir();
        string trace = SplitTraceWithGuests(tmp, ticks: 120, tickSeconds: 30, "stuck=5%,rate:64=20%,intermittent:30/60=10%");
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", $"{i}/3", "-o", tmp.File("shards"), "--hash-every", "40").Exit);
        (int exit, _, string err) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, err);
        Assert.Equal(0, CliTests.Run("replay", trace, "-o", tmp.File("single"), "--hash-every", "40").Exit);
        AssertSameOutputs(tmp.File("single"), tmp.File("merged"));
    }

    /// <summary>
    /// A shard's trace replayed as a trace of its own (<c>replay SPLIT/shard-0000-of-0003.dmt</c>) gives each VM the guest
    /// response it has in the whole trace, so its hosts run exactly as in <c>replay SPLIT --shard 0/3</c> (before: drawn from
    /// the shard's own numbering, the slow and stuck guests went to other VMs and the figures differed, silently).
    /// </summary>
    [Fact]
    public void ShardTrace_ReplayedOnItsOwn_DrawsTheGuestsOfTheWholeTrace()
    {
        using var tmp = new TempDir();
        SplitTraceWithGuests(tmp, ticks: 60, tickSeconds: 60, "stuck=10%,rate:8=20%");
        for (int i = 1; i < 3; i++)
        {
            string name = $"shard-{i:D4}-of-0003";
            Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", $"{i}/3", "-o", tmp.File("shards")).Exit);
            (int exit, _, string err) = CliTests.Run("replay", Path.Combine(tmp.File("split"), name + ".dmt"), "-o", tmp.File("direct-" + i));
            Assert.True(exit == 0, err);
            // Rows of the same hosts, less the host column (its number: in the whole trace, or in the shard's own).
            static string[] Figures(string file) => [.. File.ReadAllLines(file).Select(l => string.Join(',', l.Split(',').Where((_, c) => c != 1)))];
            Assert.Equal(Figures(Path.Combine(tmp.File("shards"), name, "hosts.csv")), Figures(Path.Combine(tmp.File("direct-" + i), "hosts.csv")));
        }
    }

    /// <summary>
    /// A shard.json edited by hand or damaged within valid JSON: a field of the wrong type or missing is refused naming the
    /// file and the field (before: the runtime's InvalidOperationException or KeyNotFoundException escaped half-way through
    /// the merge), and impossible totals (negative, more paging VM-ticks than VM-ticks on, a starving VM the trace does not
    /// have, a pressure above the histogram) are refused instead of merged into a percentage with exit code 0.
    /// </summary>
    [Theory]
    [InlineData("totals.onVmTicks", "\"12\"", "totals.onVmTicks is \"12\": expected a whole number from 0 to ")]
    [InlineData("totals.failedStarts", null, "lacks the field totals.failedStarts")]
    [InlineData("totals.assignedMbTicks", "1e30", "totals.assignedMbTicks is 1e30: expected a whole number from 0 to 9223372036854775807")]
    [InlineData("totals.onVmTicks", "-5", "totals.onVmTicks is -5: expected a whole number from 0 to ")]
    [InlineData("totals.pagingVmTicks", "ON+1", "totals.pagingVmTicks is ")]
    [InlineData("totals.unservablePagingVmTicks", "PAGING+1", "totals.unservablePagingVmTicks is ")]
    [InlineData("totals.unservablePagingVmTicks", null, "lacks the field totals.unservablePagingVmTicks")]
    [InlineData("totals.deniedVmTicks", "WANTED+1", "totals.deniedVmTicks is ")]
    [InlineData("totals.smartPagingVmTicks", "ON+1", "totals.smartPagingVmTicks is ")]
    [InlineData("totals.shortHostTicks", "100000000", "totals.shortHostTicks is 100000000: expected a whole number from 0 to ")]
    [InlineData("totals.wantedVmTicks", "100000000", "totals.wantedVmTicks is 100000000: expected a whole number from 0 to ")]
    [InlineData("starvingServable", null, "lacks the field starvingServable")]
    [InlineData("starvingServable", "[{\"vm\":3,\"id\":\"x\",\"pagingTicks\":0,\"unservableTicks\":0,\"unmetMbTicks\":0}]", "starvingServable[].pagingTicks is 0: expected a whole number from 1 to ")]
    [InlineData("starvingServable", "[{\"vm\":3,\"id\":\"x\",\"pagingTicks\":1,\"unservableTicks\":1,\"unmetMbTicks\":1}]", "starvingServable[].unservableTicks is 1: expected a whole number from 0 to 0")]
    [InlineData("starvingServable", "[{\"vm\":3,\"id\":\"x\",\"pagingTicks\":2,\"unservableTicks\":0,\"unmetMbTicks\":1},{\"vm\":3,\"id\":\"x\",\"pagingTicks\":1,\"unservableTicks\":0,\"unmetMbTicks\":1}]", "starvingServable[].vm is 3: expected each VM once")]
    [InlineData("starving", "[{\"vm\":3,\"id\":\"x\",\"pagingTicks\":1,\"unservableTicks\":2,\"unmetMbTicks\":1}]", "starving[].unservableTicks is 2: expected a whole number from 0 to 1")]
    [InlineData("pressure.sum", "1.5", "pressure.sum is 1.5: expected a whole number")]
    [InlineData("pressure.max", "-1", "pressure.max is -1: expected a whole number from 0 to 100000")]
    [InlineData("pressure.max", "100001", "pressure.max is 100001: expected a whole number from 0 to 100000")]
    [InlineData("hashTicks", "[0, 5]", "lists 2 state-hash ticks (hashTicks); the shards' series.bin hold 0")]
    [InlineData("hostAvailablePercent.max", "101", "hostAvailablePercent.max is 101: expected a whole number from 0 to 100")]
    [InlineData("starving", "[{\"vm\":999999,\"id\":\"x\",\"pagingTicks\":1,\"unservableTicks\":0,\"unmetMbTicks\":1}]", "starving[].vm is 999999: expected a whole number from 0 to ")]
    [InlineData("model.granularityMb", "3", "model: ")]
    [InlineData("placedByReplay", "\"yes\"", "placedByReplay is \"yes\": expected true or false")]
    [InlineData("hashTicks", "[-3]", "hashTicks[] is -3: expected tick numbers of at least 0")]
    [InlineData("format", "5", "is not a shard summary")]
    [InlineData("pressure.max", "0", "pressure.max 0 and hostAvailablePercent.max ")]
    [InlineData("starving", "[{\"vm\":3,\"id\":\"x\",\"pagingTicks\":1,\"unservableTicks\":0,\"unmetMbTicks\":1},{\"vm\":3,\"id\":\"x\",\"pagingTicks\":1,\"unservableTicks\":0,\"unmetMbTicks\":1}]", "expected each VM once")]
    public void Merge_ShardJsonWithAFieldOfTheWrongTypeMissingOrOutOfRange_IsRefusedNamingFileAndField(string field, string? value, string expected)
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        string json = Path.Combine(shards, "shard-0001-of-0003", "shard.json");
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        string[] names = field.Split('.');
        System.Text.Json.Nodes.JsonObject parent = names.Length == 1 ? root : root[names[0]]!.AsObject();
        if (value is null)
            parent.Remove(names[^1]);
        else if (value == "ON+1")
            parent[names[^1]] = root["totals"]!["onVmTicks"]!.GetValue<long>() + 1;
        else if (value == "PAGING+1")
            parent[names[^1]] = root["totals"]!["pagingVmTicks"]!.GetValue<long>() + 1;
        else if (value == "WANTED+1")
            parent[names[^1]] = root["totals"]!["wantedVmTicks"]!.GetValue<long>() + 1;
        else
            parent[names[^1]] = System.Text.Json.Nodes.JsonNode.Parse(value);
        File.WriteAllText(json, root.ToJsonString());

        AssertMergeRefusedWritingNothing(tmp, shards, $"'{json}'", expected);
    }

    /// <summary>
    /// Smart Paging's totals (docs/outputs.md, `smartPaging`): 0 in every replay, as no trace restarts a VM, so the merge's
    /// sums are checked on shards whose shard.json says otherwise (what shards of a trace format with restarts would
    /// write): the merged VM-seconds and MB-seconds are the three shards' sums times the tick, as one process would write
    /// them; each shard's own figures count, none dropped or taken twice.
    /// </summary>
    [Fact]
    public void Merge_SmartPagingTotals_AreTheShardsSums()
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        long[] vmTicks = [3, 0, 5], mbTicks = [3 * 1536, 0, 5 * 700 + 11];
        for (int i = 0; i < 3; i++)
        {
            string json = Path.Combine(shards, $"shard-{i:D4}-of-0003", "shard.json");
            var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!;
            Assert.Equal(0, root["totals"]!["smartPagingVmTicks"]!.GetValue<long>());
            root["totals"]!["smartPagingVmTicks"] = vmTicks[i];
            root["totals"]!["smartPagingMbTicks"] = mbTicks[i];
            File.WriteAllText(json, root.ToJsonString());
        }

        (int exit, _, string err) = CliTests.Run("merge", shards, "-o", tmp.File("merged"));
        Assert.True(exit == 0, err);
        var merged = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(tmp.File("merged/summary.json")))!;
        double tick = merged["trace"]!["tickSeconds"]!.GetValue<double>();
        Assert.Equal(8 * tick, merged["fleet"]!["smartPaging"]!["vmSeconds"]!.GetValue<double>());
        Assert.Equal(((3 * 1536) + (5 * 700) + 11) * tick, merged["fleet"]!["smartPaging"]!["mbSeconds"]!.GetValue<double>());
    }

    /// <summary>
    /// The shards' hosts are contiguous (split cuts the trace into host ranges): a shard whose shard.json says it starts
    /// past where the previous shard ends comes from another split, and the merge says so instead of leaving a gap.
    /// </summary>
    [Fact]
    public void Merge_ShardNotStartingWhereThePreviousEnds_IsRefused_NothingWritten()
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        string json = Path.Combine(shards, "shard-0002-of-0003", "shard.json");
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        int first = root["firstHost"]!.GetValue<int>();
        root["firstHost"] = first + 1;
        File.WriteAllText(json, root.ToJsonString());

        AssertMergeRefusedWritingNothing(tmp, shards, $"shard 2 starts at host {first + 1}, expected {first}", "the shards come from different splits");
    }

    /// <summary>
    /// A shard.json whose starving VM does not match the shards' placement.csv (another id, or a VM another shard holds,
    /// each consistent-looking on its own) is refused naming the files (before: merged with exit 0, and report.md named
    /// a VM by an id it does not have).
    /// </summary>
    [Theory]
    [InlineData("another id", "starving")]
    [InlineData("another shard's VM", "starving")]
    [InlineData("another id", "starvingServable")]
    [InlineData("another shard's VM", "starvingServable")]
    public void Merge_StarvingVmThatThePlacementDoesNotHold_IsRefusedNamingIt(string edit, string list)
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        string s0 = Path.Combine(shards, "shard-0000-of-0003"), s1 = Path.Combine(shards, "shard-0001-of-0003");
        string[] row0 = File.ReadLines(Path.Combine(s0, "placement.csv")).Skip(1).First().Split(','),
            row1 = File.ReadLines(Path.Combine(s1, "placement.csv")).Skip(1).First().Split(',');
        (string vm, string id) = edit == "another id" ? (row1[0], row1[1] + "-x") : (row0[0], row0[1]);
        foreach (string dir in (string[])[s0, s1])
        {
            string json = Path.Combine(dir, "shard.json");
            var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!.AsObject();
            root[list] = System.Text.Json.Nodes.JsonNode.Parse(dir == s1 ? $"[{{\"vm\":{vm},\"id\":\"{id}\",\"pagingTicks\":1,\"unservableTicks\":0,\"unmetMbTicks\":1}}]" : "[]");
            root[list == "starving" ? "starvingServable" : "starving"] = new System.Text.Json.Nodes.JsonArray();
            File.WriteAllText(json, root.ToJsonString());
        }

        AssertMergeRefusedWritingNothing(tmp, shards, $"'{Path.Combine(s1, "shard.json")}' lists VM {vm} as starving with id '{id}'",
            $"'{Path.Combine(edit == "another id" ? s1 : s0, "placement.csv")}' places VM {vm} as '{(edit == "another id" ? row1[1] : id)}'");
    }

    /// <summary>
    /// A VM may be in both of its shard's starving lists, under one id and with the same figures (merging the sample's
    /// shards shows it does happen); under two ids, or with other paging figures in one list, it is refused naming both
    /// (before the figures were compared, report.md gave the VM two paging times).
    /// </summary>
    [Theory]
    [InlineData("id")]
    [InlineData("pagingTicks")]
    [InlineData("unservableTicks")]
    [InlineData("unmetMbTicks")]
    public void Merge_VmInBothStarvingListsUnderTwoIdsOrFigures_IsRefused(string field)
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp);
        string json = Path.Combine(shards, "shard-0001-of-0003", "shard.json");
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        System.Text.Json.Nodes.JsonArray most = root["starving"]!.AsArray(), servable = root["starvingServable"]!.AsArray();
        System.Text.Json.Nodes.JsonNode both = most.First(v => servable.Any(w => (int)w!["vm"]! == (int)v!["vm"]!))!;
        int vm = (int)both["vm"]!;
        string id = (string)both["id"]!;
        System.Text.Json.Nodes.JsonNode other = servable.First(w => (int)w!["vm"]! == vm)!;
        if (field == "id")
            other["id"] = id + "-x";
        else
            other[field] = field == "unservableTicks" ? (int)other[field]! + 1 : (long)other[field]! + 7;
        File.WriteAllText(json, root.ToJsonString());

        AssertMergeRefusedWritingNothing(tmp, shards,
            field == "id" ? $"'{json}' lists VM {vm} as starving with ids '{id}' and '{id}-x'" : $"'{json}' lists VM {vm} with pagingTicks ",
            field == "id" ? "run that shard again" : "in starvingServable: the file was changed or damaged");
    }

    /// <summary>
    /// VM ids holding a carriage return or a line break (Bitbrains file names may) pass through split, replay --shard and
    /// merge unchanged: merge reads placement.csv's quoted fields whole (before: a <c>\r</c> in an id became <c>\n</c>).
    /// </summary>
    [Fact]
    public void Shards_OfVmsWithCarriageReturnsInTheirIds_MergeToTheSingleProcessOutputs()
    {
        using var tmp = new TempDir();
        string folder = tmp.File("bb");
        Directory.CreateDirectory(folder);
        string sample = Directory.EnumerateFiles(RealTraces.Path("bitbrains-gwa-t-12-rnd"), "*.csv", SearchOption.AllDirectories).Order().First();
        foreach (string name in (string[])["a\rb.csv", "c.csv", "d\r\ne.csv"])
            File.Copy(sample, Path.Combine(folder, name));
        // Hosts one VM large: one VM per host, one host per shard.
        Assert.Equal(0, CliTests.Run("import", "bitbrains", folder, "--place-on-host-mb", "8468", "-o", tmp.File("t.dmt")).Exit);
        Assert.Equal(0, CliTests.Run("split", tmp.File("t.dmt"), "--shards", "3", "-o", tmp.File("split")).Exit);
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", $"{i}/3", "-o", tmp.File("shards")).Exit);
        (int exit, _, string err) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, err);
        Assert.Equal(0, CliTests.Run("replay", tmp.File("t.dmt"), "-o", tmp.File("single")).Exit);
        Assert.Contains(",\"a\rb.csv\",", File.ReadAllText(tmp.File("single/placement.csv")), StringComparison.Ordinal);
        AssertSameOutputs(tmp.File("single"), tmp.File("merged"));
    }

    /// <summary>merge of <paramref name="shards"/> is refused with both texts in its one error line, and writes no output.</summary>
    private static void AssertMergeRefusedWritingNothing(TempDir tmp, string shards, string where, string what)
    {
        string output = tmp.File("merged");
        AssertRefused(where, "merge", shards, "-o", output);
        AssertRefused(what, "merge", shards, "-o", output);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(e => !Path.GetFileName(e).StartsWith(".staging", StringComparison.Ordinal)),
            "a refused merge wrote outputs");
    }

    /// <summary>
    /// Shards whose VMs page at more than 1000 % pressure (demand over ten times what they have: GCD memory above 100 % of
    /// a small VM) merge: shard.json's pressure maximum is the unbinned value, up to R10's cap (the first bound of the
    /// field check, 1000, refused such real shards).
    /// </summary>
    [Fact]
    public void Merge_ShardsWithPressureAbove1000Percent_Merge()
    {
        using var tmp = new TempDir();
        for (int job = 1; job <= 4; job++)
            tmp.Write($"gcd/vm_{job}_1", string.Concat(Enumerable.Repeat("10 1500\n", 288)));
        Assert.Equal(0, CliTests.Run("import", "gcd", tmp.File("gcd"), "--vm-mb", "1024", "--place-on-host-mb", "4096", "-o", tmp.File("g.dmt")).Exit);
        Assert.Equal(0, CliTests.Run("split", tmp.File("g.dmt"), "--shards", "2", "-o", tmp.File("split")).Exit);
        for (int i = 0; i < 2; i++)
            Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", $"{i}/2", "-o", tmp.File("shards")).Exit);
        int max = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("shards"), "shard-0000-of-0002", "shard.json")))!["pressure"]!["max"]!.GetValue<int>();
        Assert.True(max > 1000, $"the shard's pressure maximum is {max}: the trace does not test what it should");
        (int exit, _, string stderr) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, stderr);
        Assert.Equal(0, CliTests.Run("replay", tmp.File("g.dmt"), "-o", tmp.File("single")).Exit);
        Assert.Equal(ReplayDeterminismTests.WithoutRun(File.ReadAllText(tmp.File("single/summary.json"))),
            ReplayDeterminismTests.WithoutRun(File.ReadAllText(tmp.File("merged/summary.json"))));

        // A shard of a format before this one is refused by name, saying what it lacks: /1 the values above 1000 %,
        // /2 the unservable paging, /3 the servable starving list.
        string json = Path.Combine(tmp.File("shards"), "shard-0001-of-0002", "shard.json");
        string now = File.ReadAllText(json);
        foreach ((string before, string lacks) in new[] { ("dmkernel-replay-shard/1", "values above 1000 %"), ("dmkernel-replay-shard/2", "above the VMs' Maximum"), ("dmkernel-replay-shard/3", "most servable paging") })
        {
            File.WriteAllText(json, now.Replace("dmkernel-replay-shard/4", before, StringComparison.Ordinal));
            (exit, _, stderr) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged2"));
            Assert.Equal(1, exit);
            Assert.Contains("shard-0001-of-0002", stderr, StringComparison.Ordinal);
            Assert.Contains($"written by an older dmkernel (\"format\": \"{before}\", ", stderr, StringComparison.Ordinal);
            Assert.Contains(lacks, stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(tmp.File("merged2")), "nothing is written");
        }
    }

    [Fact]
    public void Merge_ShardsReplayedWithOtherOptionsOrFromAnotherSplit_AreRefusedNamingTheDifference()
    {
        using var tmp = new TempDir();
        string shards = ShardsOfTheSample(tmp, "--boot-grace", "40");
        AssertRefused("shard 2 (", "merge", shards, "-o", tmp.File("merged"));
        AssertRefused("--boot-grace 40 in shard 2, 50 in shard 0", "merge", shards, "-o", tmp.File("merged"));

        // A shard of a split into 2 among shards of a split into 3.
        Assert.Equal(0, CliTests.Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "2", "-o", tmp.File("split2")).Exit);
        Assert.Equal(0, CliTests.Run("replay", tmp.File("split2"), "--shard", "0/2", "-o", tmp.File("other"), "--max-ticks", "200").Exit);
        AssertRefused("shards of different splits", "merge", Path.Combine(shards, "shard-0000-of-0003"), Path.Combine(tmp.File("other"), "shard-0000-of-0002"), "-o", tmp.File("merged"));
    }

    /// <summary>
    /// Shards of two traces with the same name and size but other contents (here one metadata value) are refused naming
    /// the trace identity (docs/cluster.md: the fingerprint holds the trace's identity, XxHash64 of header and trailer).
    /// </summary>
    [Fact]
    public void Merge_ShardsOfTwoTracesOfTheSameNameAndSize_AreRefusedNamingTheTraceIdentity()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.File("a"));
        Directory.CreateDirectory(tmp.File("b"));
        void Copy(string to, string note)
        {
            using NativeTraceReader reader = NativeTraceReader.Open(ReplayDeterminismTests.SampleTrace);
            using var writer = new NativeTraceWriter(to, new TraceDescription(reader.Header.TickSeconds, reader.Header.Source,
                new TraceMetadata(reader.Header.Metadata).Set("note", note)), reader.Vms, reader.Hosts);
            var tick = new int[reader.Vms.Count];
            while (reader.ReadTick(tick))
                writer.WriteTick(tick);
            writer.Complete();
        }

        // Two notes of one length whose metadata compresses to the same size (the first such pair).
        foreach ((string a, string b) in (ReadOnlySpan<(string, string)>)[("#", "%"), ("~", "^"), ("Q", "Z"), ("qj", "zx"), ("#~", "%^")])
        {
            Copy(tmp.File("a/t.dmt"), a);
            Copy(tmp.File("b/t.dmt"), b);
            if (new FileInfo(tmp.File("a/t.dmt")).Length == new FileInfo(tmp.File("b/t.dmt")).Length)
                break;
        }

        foreach (string copy in (string[])["a", "b"])
            Assert.Equal(0, CliTests.Run("split", tmp.File($"{copy}/t.dmt"), "--shards", "2", "-o", tmp.File($"{copy}/split")).Exit);
        Assert.Equal(new FileInfo(tmp.File("a/t.dmt")).Length, new FileInfo(tmp.File("b/t.dmt")).Length);
        Assert.Equal(0, CliTests.Run("replay", tmp.File("a/split"), "--shard", "0/2", "-o", tmp.File("shards"), "--max-ticks", "50").Exit);
        Assert.Equal(0, CliTests.Run("replay", tmp.File("b/split"), "--shard", "1/2", "-o", tmp.File("shards"), "--max-ticks", "50").Exit);
        AssertRefused("shard 1 (", "merge", tmp.File("shards"), "-o", tmp.File("merged"));
        AssertRefused($"trace id {Shards.TraceId(tmp.File("b/t.dmt"))} in shard 1, {Shards.TraceId(tmp.File("a/t.dmt"))} in shard 0", "merge", tmp.File("shards"), "-o", tmp.File("merged"));
        Assert.False(Directory.Exists(tmp.File("merged")), "a refused merge wrote outputs");
    }

    [Theory]
    [InlineData("0/0", "--shard 0/0: the count 0 is out of range: expected at least 1 shard.")]
    [InlineData("5/4", "--shard 5/4: shard 5 does not exist: shards of 4 are numbered 0..3.")]
    [InlineData("4/4", "--shard 4/4: shard 4 does not exist: shards of 4 are numbered 0..3.")]
    [InlineData("abc", "--shard 'abc': expected INDEX/COUNT with whole numbers, such as 0/4")]
    [InlineData("1/2/3", "--shard '1/2/3': expected INDEX/COUNT")]
    [InlineData("-1/4", "--shard '-1/4': expected INDEX/COUNT")]
    public void Replay_BadShard_ExitsTwoNamingTheOption_NothingWritten(string shard, string expected)
    {
        using var tmp = new TempDir();
        Assert.Equal(0, CliTests.Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "4", "-o", tmp.File("split")).Exit);
        (int exit, _, string stderr) = CliTests.Run("replay", tmp.File("split"), "--shard", shard, "-o", tmp.File("out"));
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: {expected}", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("out")));
    }

    [Fact]
    public void Replay_ShardOfAWholeTrace_OrAnotherSplitsCount_IsRefusedSayingWhatToDo()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = CliTests.Run("replay", ReplayDeterminismTests.SampleTrace, "--shard", "0/2", "-o", tmp.File("out"));
        Assert.Equal(2, exit);
        Assert.Contains("--shard needs the folder dmkernel split writes, not a trace: split it first", stderr, StringComparison.Ordinal);

        Assert.Equal(0, CliTests.Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "2", "-o", tmp.File("split")).Exit);
        (exit, _, stderr) = CliTests.Run("replay", tmp.File("split"), "--shard", "1/3", "-o", tmp.File("out"));
        Assert.Equal(1, exit);
        Assert.Contains("has no shard-0001-of-0003.dmt for shard 1/3: it holds a split into 2 shards", stderr, StringComparison.Ordinal);
        // Not "split the trace ... -o SPLIT" into the same folder, which would leave two splits side by side.
        Assert.Contains("Give --shard INDEX/2 (0..1), or split the trace into 3 shards in another folder", stderr, StringComparison.Ordinal);
        // merge given the split folder (the shard traces) in place of the shard outputs says which folder it is.
        AssertRefused("It holds shard traces (shard-*-of-*.dmt): it is a folder dmkernel split wrote, the input of replay --shard; merge the folder replay --shard -o wrote.", "merge", tmp.File("split"), "-o", tmp.File("merged"));
        Assert.False(Directory.Exists(tmp.File("out")));

        (exit, _, stderr) = CliTests.Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "5", "-o", tmp.File("split5"));
        Assert.Equal(2, exit);
        Assert.Contains("--shards 5 is out of range: expected 1..4 (the trace has 4 hosts", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ShardIndex_FromTheSchedulersVariables_OrRefusedNamingTheVariable()
    {
        static Func<string, string?> Env(params (string Name, string Value)[] vars) => name => vars.FirstOrDefault(v => v.Name == name).Value;

        Assert.Equal(new ShardId(3, 8), Shards.Resolve(null, 8, null, Env((Shards.KubernetesIndex, "3"))));
        Assert.Equal(new ShardId(2, 4), Shards.Resolve(null, null, 4, Env((Shards.KubernetesIndex, "2"))));
        Assert.Equal(new ShardId(0, 4), Shards.Resolve(null, null, null, Env((Shards.SlurmIndex, "1"), (Shards.SlurmMin, "1"), (Shards.SlurmCount, "4"))));
        Assert.Equal(new ShardId(1, 2), Shards.Resolve("1/2", null, 4, Env((Shards.KubernetesIndex, "0")))); // --shard wins
        Assert.Null(Shards.Resolve(null, null, null, Env()));

        void Refused(string expected, string? shard, int? shards, int? split, Func<string, string?> env)
        {
            CliError e = Assert.Throws<CliError>(() => Shards.Resolve(shard, shards, split, env));
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        }

        Refused("environment variable JOB_COMPLETION_INDEX='x': expected a whole number of at least 0.", null, 4, null, Env((Shards.KubernetesIndex, "x")));
        Refused("SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN gives shard 4, which does not exist: SLURM_ARRAY_TASK_COUNT gives 4 shards, numbered 0..3.", null, null, null,
            Env((Shards.SlurmIndex, "5"), (Shards.SlurmMin, "1"), (Shards.SlurmCount, "4")));
        Refused("JOB_COMPLETION_INDEX is set but the number of shards is not", null, null, null, Env((Shards.KubernetesIndex, "1")));
        Refused("the split folder gives 4 shards but not which one this is: give --shard INDEX/4", null, null, 4, Env());
        Refused("--shard 1/2 and --shards 4 disagree", "1/2", 4, null, Env());
        Refused("--shards 0 is out of range", null, 0, null, Env());

        // A Slurm array whose task count is not the split's: a rerun of one task (sbatch --array=2: ID 2, MIN 2, COUNT 1)
        // read as shard 0 of 1 (before: "has no shard-0000-of-0001.dmt", or with --shards 4 shard 0 of 4 replayed in
        // silence in place of shard 2). --shard chooses it, whatever the array's variables say.
        Func<string, string?> rerun = Env((Shards.SlurmIndex, "2"), (Shards.SlurmMin, "2"), (Shards.SlurmCount, "1"));
        Refused("SLURM_ARRAY_TASK_COUNT=1 (an array of 1 task) but the split folder holds 4 shards: the array does not match the split. To rerun one shard (sbatch --array=K runs an array of one task), give --shard INDEX/4", null, null, 4, rerun);
        Refused("SLURM_ARRAY_TASK_COUNT=1 (an array of 1 task) but --shards gives 4 shards", null, 4, null, rerun);
        Assert.Equal(new ShardId(2, 4), Shards.Resolve("2/4", null, 4, rerun));
        Assert.Equal(new ShardId(1, 4), Shards.Resolve(null, 4, 4, Env((Shards.SlurmIndex, "1"), (Shards.SlurmMin, "0"), (Shards.SlurmCount, "4"))));
    }

    /// <summary>
    /// --reserve on a shard is refused when every host of the whole trace records its own reserve, as on the whole trace
    /// (before: each shard took it, and the merged summary.json recorded a reserve of 4096 MB the hosts never had); a
    /// trace with one host that records none takes it, on every shard, even one whose own hosts all record theirs.
    /// </summary>
    [Fact]
    public void Replay_ShardWithReserve_IsRefusedWhereTheWholeTraceWouldRefuseIt()
    {
        using var tmp = new TempDir();
        Assert.Equal(0, CliTests.Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "2", "-o", tmp.File("split")).Exit);
        (int exit, _, string stderr) = CliTests.Run("replay", tmp.File("split"), "--shard", "1/2", "-o", tmp.File("out"), "--reserve", "4096");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --reserve applies only to hosts without a reserve of their own; every one of the 4 hosts of sample-200vms-1day.dmt records its own, so it would change nothing.", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("out")));

        string trace = tmp.File("mixed.dmt");
        TraceVm[] vms = [new("a", VmSettings.Dynamic(1024, 512, 2048), 0), new("b", VmSettings.Dynamic(1024, 512, 2048), 1)];
        using (var w = new NativeTraceWriter(trace, new TraceDescription(60, "test: one host with a reserve, one without"), vms, [new TraceHost(8192, 1024), new TraceHost(8192)]))
        {
            for (int t = 0; t < 5; t++)
                w.WriteTick([700, 900]);
            w.Complete();
        }

        Assert.Equal(0, CliTests.Run("split", trace, "--shards", "2", "-o", tmp.File("split2")).Exit);
        for (int i = 0; i < 2; i++)
        {
            (exit, _, stderr) = CliTests.Run("replay", tmp.File("split2"), "--shard", $"{i}/2", "-o", tmp.File("out2"), "--reserve", "4096");
            Assert.True(exit == 0, stderr);
        }
    }

    /// <summary>
    /// A split folder holding splits into two counts, replayed with the shard from the scheduler's index alone, names both
    /// (before: "JOB_COMPLETION_INDEX is set but the number of shards is not", which did not say why).
    /// </summary>
    [Fact]
    public void Replay_FolderWithTwoSplits_UnderAnIndexAlone_NamesBoth()
    {
        using var tmp = new TempDir();
        Assert.Equal(0, CliTests.Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "2", "-o", tmp.File("split")).Exit);
        Assert.Equal(0, CliTests.Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "4", "-o", tmp.File("split")).Exit);
        (int exit, _, string stderr) = RunProcess(new Dictionary<string, string> { [Shards.KubernetesIndex] = "0" }, "replay", tmp.File("split"), "-o", tmp.File("out"));
        Assert.Equal(2, exit);
        Assert.Contains("holds splits into 2 and 4 shards: give --shards N (or --shard INDEX/N) to choose one", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("out")));
    }

    [Fact]
    public void Split_Boundaries_AreContiguous_NonEmpty_AndBalancedByVms()
    {
        Assert.Equal([0, 2, 4], SplitCommand.Boundaries([10, 10, 10, 10], 2));
        Assert.Equal([0, 1, 2, 3], SplitCommand.Boundaries([100, 1, 1], 3)); // every shard gets a host
        Assert.Equal([0, 1, 4], SplitCommand.Boundaries([30, 10, 10, 10], 2));
        Assert.Equal([0, 5], SplitCommand.Boundaries([1, 2, 3, 4, 5], 1));
        Assert.Equal([0, 1, 2, 3], SplitCommand.Boundaries([1, 1, 100], 3)); // the VMs at the end: the last shards still get a host each
        int[] first = SplitCommand.Boundaries([1, 1, 1, 1, 100], 4);
        Assert.Equal(0, first[0]);
        Assert.Equal(5, first[^1]);
        Assert.All(Enumerable.Range(0, 4), s => Assert.True(first[s + 1] > first[s], $"shard {s} holds no host: {string.Join(",", first)}"));
    }

    /// <summary>
    /// Each shard trace's metadata records the source trace's name, size and identity (docs/cluster.md), which its
    /// shard's fingerprint names: the whole trace's, as a replay of it names them.
    /// </summary>
    [Fact]
    public void Split_ShardTraces_RecordTheSourceTracesNameSizeAndIdentity()
    {
        using var tmp = new TempDir();
        string trace = ReplayDeterminismTests.SampleTrace;
        Assert.Equal(0, CliTests.Run("split", trace, "--shards", "2", "-o", tmp.File("split")).Exit);
        for (int i = 0; i < 2; i++)
        {
            using NativeTraceReader reader = NativeTraceReader.Open(Path.Combine(tmp.File("split"), $"shard-{i:D4}-of-0002.dmt"));
            TraceMetadata metadata = reader.Header.Metadata;
            Assert.Equal(Path.GetFileName(trace), metadata[Shards.TraceKey]);
            Assert.Equal(new FileInfo(trace).Length.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata[Shards.TraceSizeKey]);
            Assert.Equal(Shards.TraceId(trace), metadata[Shards.TraceIdKey]);
        }
    }

    /// <summary>
    /// Where the index and count come from when several sources are set (docs/cluster.md, "The shard index", in order):
    /// <c>JOB_COMPLETION_INDEX</c> before <c>SLURM_ARRAY_TASK_ID</c>; the count from <c>SLURM_ARRAY_TASK_COUNT</c> where
    /// neither --shards nor the split folder gives one (a folder holding splits into several counts), and refused where it
    /// disagrees with either (before stop 54 it went before the split folder's, and --shards before it, in silence). A
    /// Slurm task below the array's minimum gives no shard.
    /// </summary>
    [Fact]
    public void ShardIndex_SourcesTakenInTheDocumentedOrder_AnIndexBelowTheArraysMinimumIsRefused()
    {
        static Func<string, string?> Env(params (string Name, string Value)[] vars) => name => vars.FirstOrDefault(v => v.Name == name).Value;

        Assert.Equal(new ShardId(1, 4), Shards.Resolve(null, 4, null, Env((Shards.KubernetesIndex, "1"), (Shards.SlurmIndex, "3"))));
        Assert.Equal(new ShardId(1, 2), Shards.Resolve(null, null, null, Env((Shards.SlurmIndex, "1"), (Shards.SlurmCount, "2"))));
        Assert.Throws<CliError>(() => Shards.Resolve(null, null, 4, Env((Shards.SlurmIndex, "1"), (Shards.SlurmCount, "2"))));
        Assert.Throws<CliError>(() => Shards.Resolve(null, 3, 4, Env((Shards.SlurmIndex, "1"), (Shards.SlurmCount, "2"))));
        Assert.Equal(new ShardId(1, 3), Shards.Resolve("1/3", null, 4, Env((Shards.SlurmIndex, "1"), (Shards.SlurmCount, "2")))); // --shard first

        CliError e = Assert.Throws<CliError>(() => Shards.Resolve(null, null, null, Env((Shards.SlurmIndex, "0"), (Shards.SlurmMin, "1"), (Shards.SlurmCount, "4"))));
        Assert.Contains("SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN gives shard -1, which does not exist", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<CliError>(() => Shards.Resolve(null, null, null, Env((Shards.KubernetesIndex, "0"), (Shards.SlurmCount, "0"))));
        Assert.Contains("environment variable SLURM_ARRAY_TASK_COUNT='0': expected a whole number of at least 1.", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A shard trace's VM indices (metadata dmkernel.shard.vm-index) as ranges: read back exactly, and a list of
    /// another length than the shard's VMs refused (before it could give the shard's last VMs the guests of VM 0).</summary>
    [Fact]
    public void ShardVmRanges_ReadBackExactly_AListOfAnotherLengthIsRefused()
    {
        int[] indices = [0, 1, 2, 5, 7, 8];
        string text = Shards.Ranges(indices);
        Assert.Equal("0-2,5-5,7-8", text);
        Assert.Equal(indices, Shards.ParseRanges(text, indices.Length, "t.dmt"));
        Assert.Empty(Shards.ParseRanges("", 0, "t.dmt"));
        Assert.Contains("lists 3 VMs, the shard has 4", Assert.Throws<CliError>(() => Shards.ParseRanges("0-2", 4, "t.dmt")).Message, StringComparison.Ordinal);
        Assert.Contains("is not a list of VM ranges for 2 VMs", Assert.Throws<CliError>(() => Shards.ParseRanges("0-2", 2, "t.dmt")).Message, StringComparison.Ordinal);
        Assert.Contains("is not a list of VM ranges", Assert.Throws<CliError>(() => Shards.ParseRanges("3-1", 3, "t.dmt")).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A trace's identity (docs/cluster.md: XxHash64 of its header and trailer, which covers every section's hash) tells
    /// apart two traces with the same header (VM, host and tick counts, tick length) and other values.
    /// </summary>
    [Fact]
    public void TraceId_TellsApartTracesWithTheSameHeaderAndOtherValues()
    {
        using var tmp = new TempDir();
        foreach (ulong seed in (ulong[])[1, 2])
            TraceGenerator.Generate(tmp.File($"{seed}.dmt"), new TraceGeneratorOptions { Vms = 20, Hosts = 2, Ticks = 30, Seed = seed });
        byte[] a = File.ReadAllBytes(tmp.File("1.dmt")), b = File.ReadAllBytes(tmp.File("2.dmt"));
        Assert.True(a.AsSpan(0, 64).SequenceEqual(b.AsSpan(0, 64)), "the two traces should share their header");
        Assert.NotEqual(Shards.TraceId(tmp.File("1.dmt")), Shards.TraceId(tmp.File("2.dmt")));
        File.Copy(tmp.File("1.dmt"), tmp.File("copy of 1.dmt"));
        Assert.Equal(Shards.TraceId(tmp.File("1.dmt")), Shards.TraceId(tmp.File("copy of 1.dmt"))); // the content's, not the path's
    }

    /// <summary>
    /// split of a trace without a placement exits 1 saying how to give it one; <c>--shards 0</c> exits 2 naming the range
    /// (docs/bad-input.md). Nothing is written.
    /// </summary>
    [Fact]
    public void Split_TraceWithoutHosts_OrZeroShards_IsRefused_NothingWritten()
    {
        using var tmp = new TempDir();
        TraceGenerator.Generate(tmp.File("unplaced.dmt"), new TraceGeneratorOptions { Vms = 10, Hosts = 0, Ticks = 5 });
        (int exit, _, string stderr) = CliTests.Run("split", tmp.File("unplaced.dmt"), "--shards", "2", "-o", tmp.File("split"));
        Assert.Equal(1, exit);
        Assert.StartsWith($"error: '{tmp.File("unplaced.dmt")}' has no placement (no hosts), so it cannot be split by host; give it one first", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("split")));

        (exit, _, stderr) = CliTests.Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "0", "-o", tmp.File("split"));
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --shards 0 is out of range: expected 1..4 (the trace has 4 hosts", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("split")));
    }

    /// <summary>A shard trace copied over another's name (shard 0's as shard-0001) is refused by replay --shard naming both
    /// shards (its outputs would be merged as shard 1's hosts).</summary>
    [Fact]
    public void Replay_ShardTraceRenamedFromAnotherIndex_IsRefused_NothingWritten()
    {
        using var tmp = new TempDir();
        Assert.Equal(0, CliTests.Run("split", ReplayDeterminismTests.SampleTrace, "--shards", "2", "-o", tmp.File("split")).Exit);
        File.Copy(tmp.File("split/shard-0000-of-0002.dmt"), tmp.File("split/shard-0001-of-0002.dmt"), overwrite: true);
        (int exit, _, string stderr) = CliTests.Run("replay", tmp.File("split"), "--shard", "1/2", "-o", tmp.File("out"));
        Assert.Equal(1, exit);
        Assert.Contains("holds shard 0/2, not 1/2; it was renamed or copied from another split", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(tmp.File("out"), "shard-0001-of-0002")));
    }

    /// <summary>
    /// A trace of 1 000 ticks replayed in shards without --host-series-every samples hosts.csv as one process does:
    /// every ⌊1000 / 500⌋ = 2 ticks (docs/outputs.md), 500 rows per host.
    /// </summary>
    [Fact]
    public void Shards_WithTheDefaultHostSampling_MergeToTheSingleProcessOutputs()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("t.dmt");
        TraceGenerator.Generate(trace, new TraceGeneratorOptions { Vms = 24, Hosts = 4, Ticks = 1000, Seed = 5, TickSeconds = 30 });
        Assert.Equal(0, CliTests.Run("split", trace, "--shards", "2", "-o", tmp.File("split")).Exit);
        for (int i = 0; i < 2; i++)
            Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", $"{i}/2", "-o", tmp.File("shards")).Exit);
        (int exit, _, string err) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, err);
        Assert.Equal(0, CliTests.Run("replay", trace, "-o", tmp.File("single")).Exit);
        Assert.Equal(1 + 500 * 4, File.ReadAllLines(tmp.File("single/hosts.csv")).Length);
        AssertSameOutputs(tmp.File("single"), tmp.File("merged"));
    }

    /// <summary>
    /// The merged second starving list (docs/outputs.md, "which VMs starve") is ranked from the shards' servable lists,
    /// not their first lists: on host 0, twelve VMs page every tick above their Maximum (all unservable) and one VM
    /// pages on every other tick for want of host memory (servable). Its shard's first list, the ten that page most,
    /// leaves that VM out, so a merge that ranked from it would list no servable starving VM; the merge lists what one
    /// process lists.
    /// </summary>
    [Fact]
    public void Shards_WhoseTopTenPagingIsAllUnservable_MergeTheServableListOfOneProcess()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("hogs.dmt");
        var vms = new List<TraceVm>();
        for (int v = 0; v < 12; v++)
            vms.Add(new TraceVm($"hog{v}", VmSettings.Dynamic(512, 512, 1024), 0));
        vms.Add(new TraceVm("squeezed", VmSettings.Dynamic(512, 512, 1024), 0));
        vms.Add(new TraceVm("calm", VmSettings.Dynamic(512, 512, 1024), 1));
        const int ticks = 40;
        using (var w = new NativeTraceWriter(trace, new TraceDescription(60, "twelve hogs above their Maximum"), [.. vms], [new TraceHost(8192, 0), new TraceHost(8192, 0)]))
        {
            int[] row = new int[vms.Count];
            for (int t = 0; t < ticks; t++)
            {
                for (int v = 0; v < 12; v++)
                    row[v] = 1500;
                row[12] = t % 2 == 0 ? 900 : 300;
                row[13] = 400;
                w.WriteTick(row);
            }

            w.Complete();
        }

        Assert.Equal(0, CliTests.Run("split", trace, "--shards", "2", "-o", tmp.File("split")).Exit);
        for (int i = 0; i < 2; i++)
            Assert.Equal(0, CliTests.Run("replay", tmp.File("split"), "--shard", $"{i}/2", "-o", tmp.File("shards")).Exit);
        (int exit, _, string err) = CliTests.Run("merge", tmp.File("shards"), "-o", tmp.File("merged"));
        Assert.True(exit == 0, err);
        Assert.Equal(0, CliTests.Run("replay", trace, "-o", tmp.File("single")).Exit);

        // What the trace is built to show: the ten that page most are hogs; the servable list is the squeezed VM alone.
        System.Text.Json.Nodes.JsonNode single = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(tmp.File("single/summary.json")))!;
        string[] first = [.. single["starving"]!.AsArray().Select(v => (string)v!["id"]!)];
        Assert.True(first.Length == 10 && first.All(id => id.StartsWith("hog", StringComparison.Ordinal)), $"the first list is {string.Join(", ", first)}");
        Assert.Equal(["squeezed"], single["starvingServable"]!.AsArray().Select(v => (string)v!["id"]!));
        AssertSameOutputs(tmp.File("single"), tmp.File("merged"));
    }
}
