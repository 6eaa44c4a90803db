using System.Text.Json.Nodes;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;
using DmKernel.Traces;
using DmKernel.Traces.Capacity;

namespace DmKernel.Tests.Cli;

/// <summary><c>dmkernel generate --from</c> end to end on the committed real Bitbrains sample: import, draw, replay, compare.</summary>
[Collection(nameof(CliTests))]
public sealed class GenerateFromCliTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliTests.Run(args);

    private static string ImportSample(TempDir tmp)
    {
        string trace = tmp.File("bitbrains.dmt");
        (int exit, _, string stderr) = Run("import", "bitbrains", RealTraces.Path("bitbrains-gwa-t-12-rnd"), "-o", trace);
        Assert.True(exit == 0, stderr);
        return trace;
    }

    /// <summary>
    /// generate --from without --ticks writes the source trace's length (docs/generate.md; --ticks' help: "with --from:
    /// the source trace's length unless given"), not the synthetic fleet's default of 1440.
    /// </summary>
    [Fact]
    public void GenerateFrom_WithoutTicks_WritesTheSourcesLength()
    {
        using var tmp = new TempDir();
        string source = ImportSample(tmp);
        long sourceTicks;
        using (NativeTraceReader reader = NativeTraceReader.Open(source))
            sourceTicks = reader.Header.TickCount;
        Assert.NotEqual(1440, sourceTicks); // the sample's own length tells the two apart
        (int exit, string stdout, string stderr) = Run("generate", "--from", source, "--vms", "20", "--hosts", "1", "-o", tmp.File("d.dmt"));
        Assert.True(exit == 0, stderr);
        Assert.Contains($", {sourceTicks} ticks of ", stdout, StringComparison.Ordinal);
        using NativeTraceReader drawn = NativeTraceReader.Open(tmp.File("d.dmt"));
        Assert.Equal(sourceTicks, drawn.Header.TickCount);
    }

    [Fact]
    public void GenerateFrom_RealSample_SameBytesTwice_ThenReplayAndCompareKnowTheDemandModel()
    {
        using var tmp = new TempDir();
        string source = ImportSample(tmp);
        string a = tmp.File("a.dmt"), b = tmp.File("b.dmt");
        string[] gen = ["generate", "--from", source, "--vms", "60", "--hosts", "2", "--ticks", "300", "--seed", "7", "--scale-min", "0.5", "--scale-max", "1.5"];
        (int exit, string stdout, string stderr) = Run([.. gen, "-o", a]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("Generated 60 VMs drawn from 9 VMs of bitbrains.dmt on 2 hosts", stdout, StringComparison.Ordinal);
        Assert.Equal(0, Run([.. gen, "-o", b]).Exit);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));

        // Every VM plays a real VM's series (rotated; the sizes scaled by its factor): its on/off pattern is the source's.
        var data = TraceData.Load(a);
        TraceSeries real;
        using (NativeTraceReader reader = NativeTraceReader.Open(source))
            real = TraceSeries.Load(reader);
        Assert.Equal(300, data.Ticks.Length);
        for (int i = 0; i < data.Vms.Count; i++)
        {
            string id = data.Vms[i].Id;
            string rest = id[(id.IndexOf(':', StringComparison.Ordinal) + 1)..];
            int at = rest.LastIndexOf('@'), offset = int.Parse(rest[(at + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            int src = real.Vms.Select(v => v.Id).ToList().IndexOf(rest[..at]);
            int[] series = data.Series(i);
            for (int t = 0; t < series.Length; t++)
                Assert.Equal(real.Of(src)[(offset + t) % real.Ticks] < 0, series[t] < 0);
        }

        Assert.Equal("bitbrains.dmt", data.Header.Metadata["gen.from"]);
        Assert.Equal(DemandModel.FromMetadata(real.Metadata), DemandModel.FromMetadata(data.Header.Metadata));

        (exit, stdout, stderr) = Run("replay", a, "-o", tmp.File("replay"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("Replayed 60 VMs on 2 hosts for 300 ticks", stdout, StringComparison.Ordinal);

        // compare's sensitivity varies the recorded demand model (OS base × k), not a plain scale of the values.
        (exit, _, stderr) = Run("compare", a, "-o", tmp.File("cmp"), "--seeds", "1", "--sensitivity", "--host-mb", "1048576");
        Assert.True(exit == 0, stderr);
        JsonNode json = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("cmp"), "comparison.json")))!;
        Assert.Equal([0.0, 256, 512, 0, 256, 512], json["sensitivity"]!.AsArray().Select(c => (double)c!["demandModel"]!["osBaseMb"]!));
    }

    [Theory]
    [InlineData(new[] { "--scale-min", "0" }, "--scale-min: 0: expected a factor from 0.01 to 100.")]
    [InlineData(new[] { "--scale-min", "NaN" }, "--scale-min: NaN: expected a factor from 0.01 to 100.")]
    [InlineData(new[] { "--scale-max", "0.5" }, "--scale-max: 0.5: expected a factor from --scale-min (1) to 100.")]
    [InlineData(new[] { "--vms", "0" }, "--vms: 0: expected 1..67108864.")]
    [InlineData(new[] { "--hosts", "2000" }, "--hosts: 2000: expected 0 (no placement) up to the VM count (--vms 1000).")]
    [InlineData(new[] { "--ticks", "0" }, "--ticks: 0: expected at least 1 (left out, the source's length).")]
    [InlineData(new[] { "--host-mb", "1000" }, "--host-mb: 1000: expected more than the host reserve of 2048 MB.")]
    [InlineData(new[] { "--host-mb", "3" }, "--host-mb: 3: expected a positive multiple of 2 MB (left out, the hosts are sized from the VMs) up to 16777216.")]
    [InlineData(new[] { "--host-mb", "2100" }, "--host-mb: 2100: no VM of bitbrains.dmt that is ever on fits a host of that size with a 2048 MB reserve; expected at least")]
    [InlineData(new[] { "--host-mb", "2100", "--scale-max", "2" }, "(the smallest Startup at --scale-max and the reserve).")]
    [InlineData(new[] { "--vms", "131072", "--hosts", "2", "--scale-min", "100", "--scale-max", "100", "--ticks", "2" }, "--hosts: 2 hosts would need")]
    [InlineData(new[] { "--hosts", "0", "--host-mb", "8192" }, "--host-mb: --hosts 0 writes a trace without hosts, so there is no host to size")]
    [InlineData(new[] { "--scale-min", "2" }, "--scale-max: 1: expected a factor from --scale-min (2) to 100 (--scale-max is 1 unless given: give it too, at least --scale-min).")]
    [InlineData(new[] { "--tick-seconds", "60" }, "--tick-seconds: a trace drawn --from a real one keeps the source's tick length")]
    [InlineData(new[] { "--profile", "vdi" }, "--profile: a trace drawn --from a real one has the source's profile")]
    public void GenerateFrom_BadValue_IsAnsweredByName_ExitTwo_NothingWritten(string[] option, string message)
    {
        using var tmp = new TempDir();
        string source = ImportSample(tmp);
        (int exit, _, string stderr) = Run(["generate", "--from", source, "-o", tmp.File("out/g.dmt"), .. option]);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        string error = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error: ", StringComparison.Ordinal));
        // The options as typed, never the library's property names ("ScaleMin = 0", "HostReserveMb = 2048: expected below HostMb").
        Assert.DoesNotMatch(@"\b(Vms|Hosts|Ticks|ScaleMin|ScaleMax|HostMb|HostReserveMb|HostHeadroom)\b| = |Actual value", error);
        Assert.False(Directory.Exists(tmp.File("out")) && Directory.EnumerateFileSystemEntries(tmp.File("out")).Any());
    }

    /// <summary>
    /// <c>--guests</c> (P10) on every kind of generate: recorded in the trace, applied by replay (under MoM the fleet's
    /// figures change), and a bad mix is refused naming the option, nothing written. <c>--from</c> refused it before.
    /// </summary>
    [Fact]
    public void Generate_Guests_IsRecorded_AppliedByReplay_AlsoFrom_ABadMixNamesTheOption()
    {
        using var tmp = new TempDir();
        string source = ImportSample(tmp);
        string[] synthetic = ["generate", "--vms", "120", "--hosts", "2", "--ticks", "200", "--tick-seconds", "30", "--seed", "5"];
        Assert.Equal(0, Run([.. synthetic, "-o", tmp.File("ideal.dmt")]).Exit);
        Assert.Equal(0, Run([.. synthetic, "--guests", "stuck=30%", "-o", tmp.File("stuck.dmt")]).Exit);
        Assert.Equal(0, Run("generate", "--profile", "vdi", "--vms", "20", "--guests", "rate:64=25%", "-o", tmp.File("vdi.dmt")).Exit);
        (int exit, _, string stderr) = Run("generate", "--from", source, "--vms", "60", "--hosts", "2", "--guests", "stuck=30%,intermittent:30/60=10%", "-o", tmp.File("from.dmt"));
        Assert.True(exit == 0, stderr);
        Assert.Equal(0, Run("generate", "--from", tmp.File("from.dmt"), "--vms", "30", "--hosts", "1", "-o", tmp.File("again.dmt")).Exit);

        static string? Mix(string file)
        {
            using NativeTraceReader reader = NativeTraceReader.Open(file);
            return reader.Header.Metadata.TryGetValue(GuestMix.MetadataKey, out string? text) ? text : null;
        }

        Assert.Equal([null, "stuck=30%", "rate:64=25%", "stuck=30%,intermittent:30/60=10%", "stuck=30%,intermittent:30/60=10%"],
            new[] { "ideal.dmt", "stuck.dmt", "vdi.dmt", "from.dmt", "again.dmt" }.Select(f => Mix(tmp.File(f))));

        string Fleet(string trace)
        {
            (int code, _, string err) = Run("replay", tmp.File(trace), "--policy", "mom", "-o", tmp.File(trace + ".out"));
            Assert.True(code == 0, err);
            return JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File(trace + ".out"), "summary.json")))!["fleet"]!.ToJsonString();
        }

        // The same VMs and demand: only the recorded mix differs, and replay's answer with it.
        Assert.NotEqual(Fleet("ideal.dmt"), Fleet("stuck.dmt"));

        (exit, _, stderr) = Run("generate", "--from", source, "--guests", "stuck=130%", "-o", tmp.File("bad/g.dmt"));
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --guests: 'stuck=130%': a share is a percentage from 0 to 100 %", stderr.Split('\n').First(l => l.StartsWith("error: ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("bad")));
    }

    /// <summary>A source of 0 ticks (the library writes one) is refused naming the commands that need ticks (before: "a capacity
    /// comparison needs at least one of each", from generate).</summary>
    [Fact]
    public void GenerateFrom_SourceWithoutTicks_IsRefusedNamingWhatItNeeds()
    {
        using var tmp = new TempDir();
        TraceGenerator.Generate(tmp.File("empty.dmt"), new TraceGeneratorOptions { Vms = 5, Hosts = 1, Ticks = 0 });
        (int exit, _, string stderr) = Run("generate", "--from", tmp.File("empty.dmt"), "-o", tmp.File("g.dmt"));
        Assert.Equal(1, exit);
        Assert.Contains("empty.dmt: the trace has 5 VMs and 0 ticks; compare and generate --from need at least one VM and one tick.", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(tmp.File("g.dmt")));
    }

    [Fact]
    public void GenerateFrom_MissingSource_ExitsOne_ScaleWithoutFrom_ExitsTwo()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = Run("generate", "--from", tmp.File("none.dmt"), "-o", tmp.File("g.dmt"));
        Assert.Equal(1, exit);
        Assert.Contains($"error: trace file '{tmp.File("none.dmt")}' does not exist.", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = Run("generate", "--scale-max", "2", "-o", tmp.File("g.dmt"));
        Assert.Equal(2, exit);
        Assert.Contains("error: --scale-max applies only with --from", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }
    /// <summary>
    /// What a drawn fleet is made of, and the warnings before trusting it (a helper's review, stop 55): 9 VMs drawn with
    /// replacement from the sample's 9 hold 0.20 × the pool's mean size (its 512 GB VM not drawn), said with the way out
    /// (--draw balanced), which draws each once; hosts sized for the one host holding the 512 GB VM leave the median host
    /// at 2 % of its RAM, said with the size the median host would need.
    /// </summary>
    [Fact]
    public void GenerateFrom_SaysWhatTheDrawHolds_AndWarnsOfAFarDraw_AndOfRoomyHosts()
    {
        using var tmp = new TempDir();
        string source = ImportSample(tmp);
        (int exit, string stdout, string stderr) = Run("generate", "--from", source, "--vms", "9", "--hosts", "1", "--seed", "2", "-o", tmp.File("a.dmt"));
        Assert.True(exit == 0, stderr);
        var a = TraceData.Load(tmp.File("a.dmt"));
        int distinct = a.Vms.Select(v => v.Id[(v.Id.IndexOf(':', StringComparison.Ordinal) + 1)..v.Id.LastIndexOf('@')]).Distinct().Count();
        Assert.Contains($"  drawn with replacement: {distinct} different source VMs of the pool's 9; ", stdout, StringComparison.Ordinal);
        Assert.Contains("warning: the drawn VMs' total Maximum is 0.20 × what 9 VMs of the source pool's mean size", stderr, StringComparison.Ordinal);
        Assert.Contains("Give --draw balanced (each of the 9 source VMs once)", stderr, StringComparison.Ordinal);

        (exit, stdout, stderr) = Run("generate", "--from", source, "--vms", "20", "--hosts", "10", "--draw", "balanced", "-o", tmp.File("b.dmt"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("  drawn balanced: 9 different source VMs of the pool's 9; ", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("total Maximum is", stderr, StringComparison.Ordinal); // 0.92 ×: within 10 %
        var b = TraceData.Load(tmp.File("b.dmt"));
        long[] sums = [.. Enumerable.Range(0, 10).Select(h => b.Vms.Where(v => v.Host == h).Sum(v => (long)v.Settings.StartupMb)).Order()];
        Assert.Contains($"warning: the hosts are sized for the fullest one ({b.Hosts[0].TotalMb} MB each), but the median host's VMs sum to {sums[4]} MB of Startup", stderr, StringComparison.Ordinal);
        Assert.Contains($"(the median's need × 1.5 headroom + reserve, rounded up to 1 GB: {((long)Math.Ceiling((sums[4] * 1.5) + 2048) + 1023) / 1024 * 1024})", stderr, StringComparison.Ordinal);
        Assert.Contains("source VMs too large for such a host are then left out of the draw", stderr, StringComparison.Ordinal);

        // Given a host size, no such warning; a bad draw or alignment is named as typed.
        Assert.DoesNotContain("sized for the fullest", Run("generate", "--from", source, "--vms", "20", "--hosts", "10", "--host-mb", "1048576", "-o", tmp.File("c.dmt")).Err, StringComparison.Ordinal);
        Assert.Equal((2, "error: --draw: 'random' is not a draw: expected compare or balanced."), Trimmed(Run("generate", "--from", source, "--draw", "random", "-o", tmp.File("d.dmt"))));
        (exit, _, stderr) = Run("generate", "--from", source, "--align-starts", "450", "-o", tmp.File("e.dmt"));
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --align-starts: 450: expected a whole number of bitbrains.dmt's ticks of 300 s", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(tmp.File("e.dmt")));
        (exit, _, stderr) = Run("generate", "--from", ReplayDeterminismTests.SampleTrace, "--vms", "20", "--align-starts", "week", "-o", tmp.File("w.dmt"));
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --align-starts: week (604800 s): expected a whole number of sample-200vms-1day.dmt's ticks of 60 s, at most its length (1440 ticks, 86400 s).", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, 500, "each of the 500 source VMs once")]
    [InlineData(1007, 500, "each of the 500 source VMs twice and 7 of them once more")]
    [InlineData(3000, 500, "each of the 500 source VMs 6 times")]
    [InlineData(100, 500, "100 different source VMs of the 500, none twice")]
    public void BalancedWords_SayWhatTheBalancedDrawDoes(int vms, int pool, string words)
        => Assert.Equal(words, DmKernel.Cli.Commands.GenerateCommand.BalancedWords(vms, pool));

    /// <summary>
    /// A drawn trace that is not scaled keeps its source's Minimum rule (its VMs keep their settings), so compare's Minimum
    /// cells and warning name it; a scaled one does not (the sizes round apart from the rule). With --align-starts on a
    /// source that is not a whole number of days, the summary says the starts are aligned and a warning says where a
    /// wrapped series shifts.
    /// </summary>
    [Fact]
    public void GenerateFrom_KeepsTheMinimumRuleUnscaled_AndSaysWhereAlignedStartsShift()
    {
        using var tmp = new TempDir();
        string source = ImportSample(tmp);
        (int exit, string stdout, string stderr) = Run("generate", "--from", source, "--vms", "20", "--hosts", "2", "--align-starts", "day", "-o", tmp.File("a.dmt"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("; starts at whole days of the source", stdout, StringComparison.Ordinal);
        Assert.Contains("warning: --align-starts: the source's 12513 ticks (1042.8 h) are not a whole number of 86400 s: where a VM's series wraps around at the source's end, its alignment shifts by 10.75 h from there on", stderr, StringComparison.Ordinal);
        Assert.Equal("4", TraceData.Load(tmp.File("a.dmt")).Header.Metadata["settings.minimum_divisor"]);

        Assert.Equal(0, Run("generate", "--from", source, "--vms", "20", "--hosts", "2", "--scale-min", "0.5", "--scale-max", "2", "-o", tmp.File("b.dmt")).Exit);
        Assert.False(TraceData.Load(tmp.File("b.dmt")).Header.Metadata.TryGetValue("settings.minimum_divisor", out _));
    }

    private static (int, string) Trimmed((int Exit, string Out, string Err) r) => (r.Exit, r.Err.Trim());
}
