using DmKernel.Tests.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// compare's counted options at the edges of the ranges help states (--hosts-per-probe 1..1024, --seeds 1..100,
/// --threads 1..1024): just outside, refused by name with exit 2 and the range; on the edge, accepted, so the command
/// goes on to open the trace (here a missing one: exit 1 naming it).
/// </summary>
[Collection(nameof(CliTests))]
public sealed class CompareOptionRangeTests
{
    [Theory]
    [InlineData("--hosts-per-probe", "0", "error: --hosts-per-probe 0 is out of range: expected 1..1024.")]
    [InlineData("--hosts-per-probe", "1025", "error: --hosts-per-probe 1025 is out of range: expected 1..1024.")]
    [InlineData("--seeds", "0", "error: --seeds 0 is out of range: expected 1..100.")]
    [InlineData("--seeds", "101", "error: --seeds 101 is out of range: expected 1..100.")]
    [InlineData("--threads", "1025", "error: --threads 1025 is out of range: expected 1..1024.")]
    [InlineData("--host-mb", "16777218", "error: --host-mb 16777218: expected a positive multiple of 2 MB up to 16777216 MB (16 TB).")]
    public void Compare_CountJustOutsideItsRange_IsRefusedByName_ExitTwo(string option, string value, string expected)
    {
        using var tmp = new TempDir();
        (int exit, string stdout, string stderr) = CliTests.Run("compare", tmp.File("missing.dmt"), "-o", tmp.File("cmp"), option, value);
        Assert.Equal(2, exit);
        Assert.Equal(expected, stderr.TrimEnd('\r', '\n'));
        Assert.Equal("", stdout);
    }

    [Theory]
    [InlineData("--hosts-per-probe", "1")]
    [InlineData("--hosts-per-probe", "1024")]
    [InlineData("--seeds", "1")]
    [InlineData("--seeds", "100")]
    [InlineData("--threads", "1024")]
    [InlineData("--host-mb", "16777216")]
    public void Compare_CountOnTheEdgeOfItsRange_IsAccepted(string option, string value)
    {
        using var tmp = new TempDir();
        string missing = tmp.File("missing.dmt");
        (int exit, _, string stderr) = CliTests.Run("compare", missing, "-o", tmp.File("cmp"), option, value);
        Assert.Equal(1, exit);
        Assert.Equal($"error: trace file '{missing}' does not exist.", stderr.TrimEnd('\r', '\n'));
        Assert.False(Directory.Exists(tmp.File("cmp")));
    }

    /// <summary>
    /// A boot grace whose warm-up would run a billion ticks per probe is refused naming --boot-grace, nothing written
    /// (before stop 53 the warm-up bound overflowed and compare answered in 0.3 s without warming up; a million ticks ran
    /// for ever).
    /// </summary>
    [Fact]
    public void Compare_BootGraceOfAnEndlessWarmup_IsRefusedByName_NothingWritten()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("t.dmt");
        Assert.Equal(0, CliTests.Run("generate", "--vms", "20", "--hosts", "2", "--ticks", "100", "--tick-seconds", "1", "-o", trace).Exit);
        (int exit, _, string stderr) = CliTests.Run("compare", trace, "-o", tmp.File("cmp"), "--boot-grace", "1e9", "--seeds", "1");
        Assert.Equal(2, exit);
        Assert.EndsWith("error: --boot-grace: 1000000000 s is 1000000000 ticks of 1 s: every probe warms up for the boot grace and a reclaim period (1000000301 ticks) before it measures a tick, more than the 1000000 a comparison runs (it runs hundreds of probes). Give at most 999699 s at this tick length (replay takes any).", stderr.TrimEnd('\r', '\n'), StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("cmp")));
    }

    /// <summary>
    /// --sensitivity on a trace imported with --demand-k 0 (committed demand is the OS base alone): the CLI refuses it
    /// before it plans, and the library's plan refuses it too, naming the option (before stop 53 a library caller got a
    /// grid whose scale K/0 made every value 0 MB: the sensitivity table computed on zero demand); without the grid it runs.
    /// </summary>
    [Fact]
    public void Compare_SensitivityOfATraceImportedWithKZero_IsRefused_ByTheCliAndTheLibrary()
    {
        using var tmp = new TempDir();
        string trace = tmp.File("k0.dmt");
        Assert.Equal(0, CliTests.Run("import", "bitbrains", RealTraces.Path("bitbrains-gwa-t-12-rnd"), "--demand-k", "0", "-o", trace).Exit);
        (int exit, _, string stderr) = CliTests.Run("compare", trace, "-o", tmp.File("cmp"), "--sensitivity", "--seeds", "1");
        Assert.Equal(1, exit);
        Assert.EndsWith("error: --sensitivity needs the measured usage, but the trace's demand model has k = 0 (demand is the OS base alone): re-import with k > 0.", stderr.TrimEnd('\r', '\n'), StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("cmp")));

        using var reader = DmKernel.Traces.NativeTraceReader.Open(trace);
        var series = DmKernel.Traces.Capacity.TraceSeries.Load(reader);
        var options = new DmKernel.Traces.Capacity.CapacityOptions { Sensitivity = DmKernel.Traces.Capacity.CapacityOptions.DefaultSensitivity(DmKernel.Traces.DemandModel.FromMetadata(series.Metadata)) };
        var e = Assert.Throws<DmKernel.Traces.Capacity.CapacityOptionException>(() => DmKernel.Traces.Capacity.CapacityStudy.Plan(series, options));
        Assert.Equal(nameof(options.Sensitivity), e.Option);
        Assert.StartsWith("the trace was imported with a demand factor K of 0", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, CliTests.Run("compare", trace, "-o", tmp.File("cmp"), "--seeds", "1").Exit);
    }
}
