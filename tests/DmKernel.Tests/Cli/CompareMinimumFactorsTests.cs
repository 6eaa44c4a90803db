using System.Text.Json.Nodes;
using DmKernel.Tests.Replay;
using DmKernel.Tests.Traces;

namespace DmKernel.Tests.Cli;

/// <summary>
/// compare --sensitivity --minimum-factors: the Minimum cells at the factors the user names (before stop 56 only the
/// library could; the CLI ran 0.5 and 2), each exactly the trace imported with that divisor; 'none' for no cells; bad
/// factors and the option without --sensitivity refused by name, nothing written; shards of other factors not merged.
/// </summary>
[Collection(nameof(CliTests))]
public sealed class CompareMinimumFactorsTests
{
    private static string Folder => RealTraces.Path("bitbrains-gwa-t-12-rnd/2013-8");

    private static JsonArray Cells(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "comparison.json")))!["minimumSensitivity"]!.AsArray();

    private static JsonNode Json(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "comparison.json")))!;

    /// <summary>
    /// The cell at 0.25 of an import's Startup ÷ 4 is the trace imported at ÷ 16, and at 4/3 (written 1.3333) at ÷ 3: the
    /// same Dynamic Memory VMs per host, draw by draw, and the report's row names the divisor.
    /// </summary>
    [Fact]
    public void MinimumFactors_GiveTheCellsOfThoseDivisors_EachEqualToItsImport()
    {
        using var tmp = new TempDir();
        foreach (int d in new[] { 4, 16, 3 })
            Assert.Equal(0, CliTests.Run("import", "bitbrains", Folder, "-o", tmp.File($"d{d}.dmt"), "--minimum-divisor", $"{d}").Exit);
        string[] common = ["--host-mb", "65536", "--seeds", "3", "--max-ticks", "288", "--threads", "2"];
        (int exit, _, string stderr) = CliTests.Run(["compare", tmp.File("d4.dmt"), "-o", tmp.File("grid"), "--sensitivity", "--minimum-factors", "0.25, 1.3333", .. common]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("and the VMs' Minimum × 0.25 and 1.3333;", stderr, StringComparison.Ordinal);
        JsonArray cells = Cells(tmp.File("grid"));
        Assert.Equal([0.25, 1.3333], cells.Select(c => (double)c!["factor"]!));
        Assert.Equal([16.0, 3.0], cells.Select(c => (double)c!["minimumDivisor"]!));
        for (int i = 0; i < 2; i++)
        {
            int d = i == 0 ? 16 : 3;
            Assert.Equal(0, CliTests.Run(["compare", tmp.File($"d{d}.dmt"), "-o", tmp.File($"c{d}"), .. common]).Exit);
            JsonNode own = Json(tmp.File($"c{d}"));
            JsonNode dm = own["strategies"]!.AsArray().Single(x => (string)x!["key"]! == "dm")!;
            Assert.Equal((double)dm["vmsPerHost"]!["median"]!, (double)cells[i]!["dynamicMemoryVmsPerHost"]!);
            Assert.Equal(own["verdict"]!["ratioToStaticProvisioned"]!.ToJsonString(), cells[i]!["ratioToStaticProvisioned"]!.ToJsonString()); // draw by draw: min, median, max
        }

        string report = File.ReadAllText(tmp.File("grid/report.md"));
        Assert.Contains("| Minimum × 0.25 (Startup ÷ 16) |", report, StringComparison.Ordinal);
        Assert.Contains("| Minimum × 1.3333 (Startup ÷ 3) |", report, StringComparison.Ordinal);
    }

    [Fact]
    public void MinimumFactorsNone_RunsTheDemandGridAlone()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = CliTests.Run("compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("c"), "--sensitivity", "--minimum-factors", "none", "--seeds", "1", "--max-ticks", "120");
        Assert.True(exit == 0, stderr);
        Assert.Empty(Cells(tmp.File("c")));
        Assert.NotEmpty(JsonNode.Parse(File.ReadAllText(tmp.File("c/comparison.json")))!["sensitivity"]!.AsArray());
        Assert.DoesNotContain("## Sensitivity to the VMs' Minimum", File.ReadAllText(tmp.File("c/report.md")), StringComparison.Ordinal);
        Assert.DoesNotContain("the VMs' Minimum ×", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "error: --minimum-factors applies only with --sensitivity (the Minimum cells are part of its grid); give both, or neither.")]
    [InlineData("0", "error: --minimum-factors: 0 is out of range: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("-2", "error: --minimum-factors: -2 is out of range: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("2000", "error: --minimum-factors: 2000 is out of range: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("1e400", "error: --minimum-factors: 1e400 is out of range: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("half", "error: --minimum-factors: 'half' is not a number: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("NaN", "error: --minimum-factors: 'NaN' is not a number: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("0,5", "error: --minimum-factors: 0 is out of range: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("1", "error: --minimum-factors: 1 is the Minimum as given, whose answer the report leads with: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("1.00002", "error: --minimum-factors: 1.00002 is the Minimum as given, whose answer the report leads with: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("0.5,0.500001", "error: --minimum-factors '0.5,0.500001': 0.500001 is given twice: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("0.5,0.50", "error: --minimum-factors '0.5,0.50': 0.50 is given twice: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    [InlineData("0.5,,2", "error: --minimum-factors '0.5,,2': an empty entry: expected factors of the VMs' Minimum from 0.0009765625 (1/1024) to 1024, not 1, comma-separated, or 'none'.")]
    public void BadMinimumFactors_AreRefusedByName_NothingWritten(string? factors, string expected)
    {
        using var tmp = new TempDir();
        string[] args = factors is null
            ? ["compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("c"), "--minimum-factors", "0.5"]
            : ["compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("c"), "--sensitivity", "--minimum-factors", factors];
        (int exit, string stdout, string stderr) = CliTests.Run(args);
        Assert.Equal(2, exit);
        Assert.Equal(expected, stderr.TrimEnd('\r', '\n'));
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(tmp.File("c")));
    }

    /// <summary>
    /// Where the trace records its import's divisor, factors that give the same cell are refused by name: a factor that the
    /// divisor's 0.01 % snaps to the divisor as given, and two that snap to the same divisor (before the review of stop 56,
    /// 1.00010001 of ÷ 4 gave a row "Minimum × 1.0001 (Startup ÷ 4)" identical to "as given", and 0.500045 and 0.499955
    /// two identical "(Startup ÷ 8)" rows: the CLI's rule, within 0.01 % of 1 or of each other, is on the factors, the
    /// snap on the divisor). Nothing is written. On a trace that records no divisor the rule on the factors stays: the same
    /// two factors run.
    /// </summary>
    [Fact]
    public void MinimumFactorsGivingTheSameCell_AreRefusedByName_WhereTheTraceRecordsADivisor()
    {
        using var tmp = new TempDir();
        Assert.Equal(0, CliTests.Run("import", "bitbrains", Folder, "-o", tmp.File("d4.dmt"), "--minimum-divisor", "4").Exit);
        foreach ((string factors, string expected) in new[]
        {
            ("1.00010001", "error: --minimum-factors: 1.00010001 gives Startup ÷ 4 (the trace's import divisor 4 ÷ 1.00010001, taken as the whole divisor within 0.01 %), the Minimum as given, whose answer the report leads with: give factors that give another divisor, or 'none'."),
            ("0.25,0.500045,0.499955", "error: --minimum-factors: 0.500045 and 0.499955 both give Startup ÷ 8 (the trace's import divisor 4 ÷ each, taken as the whole divisor within 0.01 %): the same cell twice; give one of them."),
        })
        {
            (int exit, string stdout, string stderr) = CliTests.Run("compare", tmp.File("d4.dmt"), "-o", tmp.File("c"), "--sensitivity", "--minimum-factors", factors, "--seeds", "1", "--max-ticks", "12");
            Assert.Equal(2, exit);
            Assert.Equal(expected, stderr.TrimEnd('\r', '\n'));
            Assert.Equal("", stdout);
            Assert.False(Directory.Exists(tmp.File("c")));
        }

        (int ok, _, string err) = CliTests.Run("compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("sample"), "--sensitivity", "--minimum-factors", "0.500045,0.499955", "--seeds", "1", "--max-ticks", "120");
        Assert.True(ok == 0, err);
        Assert.Equal(2, Cells(tmp.File("sample")).Count);
    }

    /// <summary>
    /// The help and the refusal state the same range (before the review of stop 56 the help said "each above 0 and at
    /// most 1024" while 0.0005 was refused "from 0.0009765625").
    /// </summary>
    [Fact]
    public void MinimumFactors_HelpStatesTheRangeTheParserAccepts()
    {
        (int exit, string stdout, _) = CliTests.Run("compare", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("each from 1/1024 (0.0009765625) to 1024, not 1", string.Join(' ', stdout.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    /// <summary>
    /// 'none' without --sensitivity means what leaving both out means, no Minimum cells, and runs (before the review of
    /// stop 56 it was refused as needing --sensitivity); a factor without it is still refused.
    /// </summary>
    [Fact]
    public void MinimumFactorsNone_WithoutSensitivity_RunsAsWithoutEither()
    {
        using var tmp = new TempDir();
        (int exit, _, string stderr) = CliTests.Run("compare", ReplayDeterminismTests.SampleTrace, "-o", tmp.File("c"), "--minimum-factors", "none", "--seeds", "1", "--max-ticks", "120");
        Assert.True(exit == 0, stderr);
        Assert.Empty(Cells(tmp.File("c")));
        Assert.Empty(Json(tmp.File("c"))["sensitivity"]!.AsArray());
    }

    /// <summary>
    /// A trace whose VMs are all static has no Minimum cells: an explicit --minimum-factors is named as not used (before the
    /// review of stop 56 it was dropped without a word beside "the sensitivity grid leaves the VMs' Minimum out").
    /// </summary>
    [Fact]
    public void MinimumFactors_OnATraceOfStaticVms_AreNamedAsNotUsed()
    {
        using var tmp = new TempDir();
        Assert.Equal(0, CliTests.Run("import", "bitbrains", Folder, "-o", tmp.File("static.dmt"), "--static").Exit);
        (int exit, _, string stderr) = CliTests.Run("compare", tmp.File("static.dmt"), "-o", tmp.File("c"), "--sensitivity", "--minimum-factors", "0.25,4", "--seeds", "1", "--max-ticks", "12");
        Assert.True(exit == 0, stderr);
        Assert.Contains("compare: every VM of the trace is static (no Dynamic Memory): the sensitivity grid leaves the VMs' Minimum out (a static VM has none to vary), and with it --minimum-factors 0.25,4.", stderr, StringComparison.Ordinal);
        Assert.Empty(Cells(tmp.File("c")));

        (exit, _, stderr) = CliTests.Run("compare", tmp.File("static.dmt"), "-o", tmp.File("d"), "--sensitivity", "--seeds", "1", "--max-ticks", "12");
        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("--minimum-factors", stderr, StringComparison.Ordinal); // not given: not named
    }

    [Fact]
    public void Merge_CompareShardsOfOtherMinimumFactors_AreRefusedNamingThem()
    {
        using var tmp = new TempDir();
        for (int i = 0; i < 2; i++)
            Assert.Equal(0, CliTests.Run(["compare", ReplayDeterminismTests.SampleTrace, "--shard", $"{i}/2", "-o", tmp.File("s"), "--seeds", "1", "--max-ticks", "120", "--sensitivity", .. i == 1 ? (string[])["--minimum-factors", "0.25"] : []]).Exit);
        ShardTests.AssertRefused("--minimum-factors 0.25 in shard 1, 0.5,2 in shard 0", "merge", tmp.File("s"), "-o", tmp.File("m"));
    }
}
