using System.Text.Json.Nodes;
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
    [InlineData(new[] { "--scale-min", "0" }, "--scale-min: ScaleMin = 0: expected a factor from 0.01 to 100")]
    [InlineData(new[] { "--scale-max", "0.5" }, "--scale-max: ScaleMax = 0.5: expected a factor from ScaleMin (1) to 100")]
    [InlineData(new[] { "--vms", "0" }, "--vms: Vms = 0")]
    [InlineData(new[] { "--hosts", "2000" }, "--hosts: Hosts = 2000")]
    [InlineData(new[] { "--ticks", "0" }, "--ticks: Ticks = 0")]
    [InlineData(new[] { "--host-mb", "2100" }, "--host-mb: HostMb = 2100: no VM of bitbrains.dmt that is ever on fits a host of that size")]
    [InlineData(new[] { "--tick-seconds", "60" }, "--tick-seconds: a trace drawn --from a real one keeps the source's tick length")]
    [InlineData(new[] { "--profile", "vdi" }, "--profile: a trace drawn --from a real one has the source's profile")]
    public void GenerateFrom_BadValue_IsAnsweredByName_ExitTwo_NothingWritten(string[] option, string message)
    {
        using var tmp = new TempDir();
        string source = ImportSample(tmp);
        (int exit, _, string stderr) = Run(["generate", "--from", source, "-o", tmp.File("out/g.dmt"), .. option]);
        Assert.Equal(2, exit);
        Assert.Contains("error: " + message, stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("out")) && Directory.EnumerateFileSystemEntries(tmp.File("out")).Any());
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
}
